/**
 * What a webhook must be for this receiver to parse what it sends: the API versions and key inflections
 * our parser reads. The events it must send are the KYC policy's (`kycPolicyEvents` in persona-webhooks).
 */

/** Oldest and newest dated API versions documented by Persona when this was written; the envelope we parse is the same in all. */
export const OLDEST_PARSED_API_VERSION = '2020-05-18';
export const NEWEST_KNOWN_API_VERSION = '2026-09-29';
export const PARSED_INFLECTIONS: readonly string[] = ['kebab', 'camel', 'snake'];
