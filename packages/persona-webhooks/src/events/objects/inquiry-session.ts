import type { CommonTimestamps, PersonaAttributes, PersonaObject } from './persona-object.js';

/** One device session of an inquiry. */
export interface InquirySessionAttributes extends PersonaAttributes, CommonTimestamps {
  status?: 'active' | 'expired' | 'canceled' | (string & {}) | null;
  startedAt?: string | null;
  expiredAt?: string | null;
  ipAddress?: string | null;
  userAgent?: string | null;
  deviceType?: string | null;
  countryCode?: string | null;
  threatLevel?: string | null;
  isProxy?: boolean | null;
  isTor?: boolean | null;
  isVpn?: boolean | null;
  isDatacenter?: boolean | null;
}

/** The object of every `inquiry-session.*` event. */
export type InquirySessionObject = PersonaObject<InquirySessionAttributes, 'inquiry-session'>;
