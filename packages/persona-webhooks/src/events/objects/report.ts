import type { CommonTimestamps, PersonaAttributes, PersonaObject } from './persona-object.js';

/** Report attributes common to every report type. */
export interface ReportAttributes extends PersonaAttributes, CommonTimestamps {
  status?: 'pending' | 'ready' | 'errored' | (string & {}) | null;
  /** True when a watchlist-style report found a match. */
  hasMatch?: boolean | null;
  isContinuous?: boolean | null;
  completedAt?: string | null;
  tags?: string[] | null;
}

/** The object of every `report/<type>.*` event; its type names the report, e.g. `report/watchlist`. */
export type ReportObject = PersonaObject<ReportAttributes, `report/${string}`>;
