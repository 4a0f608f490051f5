/**
 * Schema-qualified, quoted table names, built once. The schema name was validated against
 * /^[a-z_][a-z0-9_]*$/ (`options.ts`) and is quoted anyway, so no query ever splices raw text: every
 * value goes in as a `$n` parameter.
 */

/** `name` as a quoted SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The quoted `"<schema>".<table>` names every query interpolates. */
export function tables(schema: string) {
  const qualified = quoteIdentifier(schema);
  return Object.freeze({
    schema: qualified,
    migrations: `${qualified}.schema_migrations`,
    events: `${qualified}.events`,
    attempts: `${qualified}.event_attempts`,
    inquiries: `${qualified}.inquiries`,
    verifications: `${qualified}.verifications`,
    cases: `${qualified}.cases`,
    reports: `${qualified}.reports`,
    accounts: `${qualified}.accounts`,
    transactions: `${qualified}.transactions`,
    links: `${qualified}.kyc_links`,
    decisions: `${qualified}.kyc_decisions`,
    kycPolicy: `${qualified}.kyc_policy`,
    kycRebuild: `${qualified}.kyc_rebuild`,
    kycDirty: `${qualified}.kyc_dirty`,
    endpoints: `${qualified}.app_endpoints`,
    outbox: `${qualified}.outbox_messages`,
    outboxAttempts: `${qualified}.outbox_attempts`,
  });
}

/** The store's tables, as SQL text. */
export type Tables = ReturnType<typeof tables>;
