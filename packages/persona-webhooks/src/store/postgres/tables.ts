/**
 * Schema-qualified table identifiers, built once. The schema name was validated against
 * /^[a-z_][a-z0-9_]*$/ and the driver quotes identifiers, so no query ever splices raw text.
 */
import type { Db } from './connect.js';

/** Creates the quoted `"<schema>"."<table>"` fragments every query interpolates. */
export function tables(sql: Db, schema: string) {
  return Object.freeze({
    events: sql(`${schema}.events`),
    attempts: sql(`${schema}.event_attempts`),
    inquiries: sql(`${schema}.inquiries`),
    verifications: sql(`${schema}.verifications`),
  });
}

/** The store's tables, as query fragments. */
export type Tables = ReturnType<typeof tables>;
