/**
 * The SQLite schema as numbered migrations. They are TypeScript modules (not .sql files) so `tsc` ships
 * them in dist/ with no copy step. Never edit a released migration: add the next version instead.
 *
 * Only `reference_id` (the integrator's own user id) is personal-ish data in these tables; raw bodies
 * live in `event_bodies` (since version 5; `events.body` before) and are purged by retention or
 * scrubbed on redaction.
 */

import type { Migration } from '../migration-plan.js';

/** A migration of this dialect: the SQL is SQLite's. */
export type SqliteMigration = Migration;

/** Every migration, in version order. */
export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = Object.freeze([
  {
    version: 1,
    name: 'init',
    sql: `
CREATE TABLE events (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  object_type TEXT,
  object_id TEXT,
  inquiry_id TEXT,
  account_id TEXT,
  body BLOB,
  attempts_made INTEGER,
  attempts_left INTEGER,
  first_attempted_at_ms INTEGER,
  received_at_ms INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'done', 'dead')),
  run_at_ms INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  lease_token TEXT,
  lease_expires_at_ms INTEGER,
  last_error TEXT,
  processed_at_ms INTEGER
) STRICT;

-- Partial: only open rows, so the claim scan stays small however many done rows pile up, and it
-- walks them already in processing order.
CREATE INDEX events_claim ON events (created_at_ms, id) WHERE status IN ('pending', 'processing');
CREATE INDEX events_status_received ON events (status, received_at_ms, id);
CREATE INDEX events_received ON events (received_at_ms, id);
CREATE INDEX events_inquiry ON events (inquiry_id) WHERE inquiry_id IS NOT NULL;
CREATE INDEX events_account ON events (account_id) WHERE account_id IS NOT NULL;

CREATE TABLE event_attempts (
  event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  attempt INTEGER NOT NULL,
  started_at_ms INTEGER NOT NULL,
  finished_at_ms INTEGER,
  outcome TEXT CHECK (outcome IN ('done', 'retry', 'dead')),
  error TEXT
) STRICT;
CREATE INDEX event_attempts_event ON event_attempts (event_id, attempt);

CREATE TABLE inquiries (
  inquiry_id TEXT PRIMARY KEY,
  reference_id TEXT,
  account_id TEXT,
  status TEXT,
  status_at_ms INTEGER NOT NULL,
  status_event_id TEXT NOT NULL,
  inquiry_created_at_ms INTEGER,
  redacted_at_ms INTEGER,
  updated_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX inquiries_reference ON inquiries (reference_id) WHERE reference_id IS NOT NULL;

CREATE TABLE verifications (
  verification_id TEXT PRIMARY KEY,
  inquiry_id TEXT,
  verification_type TEXT NOT NULL,
  status TEXT,
  status_at_ms INTEGER NOT NULL,
  status_event_id TEXT NOT NULL
) STRICT;
`,
  },
  {
    version: 2,
    name: 'store_probe',
    // One row the readiness check writes (and syncs) while writes are failing, to learn when the disk
    // takes writes again without waiting for a webhook to try.
    sql: `
CREATE TABLE store_probe (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  written_at_ms INTEGER NOT NULL,
  pad BLOB
) STRICT;
`,
  },
  {
    version: 3,
    name: 'dashboard-reads',
    // reference_id lets a user's events be found before any has been processed (a dead first event
    // leaves no inquiries row to join through). Older rows keep NULL: their users are still found
    // through the inquiries their events projected. object_id and verifications.inquiry_id serve the
    // dashboard's exact-id search and its per-inquiry verification list.
    sql: `
ALTER TABLE events ADD COLUMN reference_id TEXT;
CREATE INDEX events_reference ON events (reference_id) WHERE reference_id IS NOT NULL;
CREATE INDEX events_object ON events (object_id) WHERE object_id IS NOT NULL;
CREATE INDEX verifications_inquiry ON verifications (inquiry_id) WHERE inquiry_id IS NOT NULL;
`,
  },
  {
    version: 4,
    name: 'source-and-reconcile-state',
    // `source`: whether the webhook or reconciliation through Persona's Events API brought the event.
    // `reconcile_state`: one row, so every process sharing the file shares the checkpoint, the lease
    // and the schedule.
    sql: `
ALTER TABLE events ADD COLUMN source TEXT NOT NULL DEFAULT 'webhook' CHECK (source IN ('webhook', 'api'));

CREATE TABLE reconcile_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  checkpoint_ms INTEGER,
  next_run_at_ms INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_expires_at_ms INTEGER,
  last_started_at_ms INTEGER,
  last_finished_at_ms INTEGER,
  last_result TEXT CHECK (last_result IN ('ok', 'failed')),
  last_error TEXT,
  failures INTEGER NOT NULL DEFAULT 0,
  recovered_total INTEGER NOT NULL DEFAULT 0,
  last_recovered INTEGER
) STRICT;
INSERT INTO reconcile_state (id) VALUES (1);
`,
  },
  {
    version: 5,
    name: 'bodies-in-their-own-table',
    // SQLite rewrites a whole row, overflow pages included, on every UPDATE: with the ~7 KB body inside
    // `events`, each claim, completion and retry wrote the body to the WAL again. Kept apart, those
    // updates touch one small row, and purging or scrubbing a body is a DELETE.
    sql: `
CREATE TABLE event_bodies (
  event_id TEXT PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
  body BLOB NOT NULL
) STRICT;
INSERT INTO event_bodies (event_id, body) SELECT id, body FROM events WHERE body IS NOT NULL;
ALTER TABLE events DROP COLUMN body;
`,
  },
  {
    version: 6,
    name: 'kyc-decision-facts',
    // Cases, reports and accounts as the decision reads them (ids, statuses, match flags, times; no
    // personal data), and each user's decision with its reasons. `kyc_rebuild` marks that the facts of
    // events stored before this version still have to be rebuilt from their bodies: the store does it
    // after migrating, in batches, moving the cursor with each, and deletes the row when done.
    sql: `
CREATE TABLE cases (
  case_id TEXT PRIMARY KEY,
  reference_id TEXT,
  account_id TEXT,
  inquiry_id TEXT,
  status TEXT,
  resolution TEXT,
  resolved_at_ms INTEGER,
  status_at_ms INTEGER NOT NULL,
  status_event_id TEXT NOT NULL,
  redacted_at_ms INTEGER,
  updated_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX cases_reference ON cases (reference_id) WHERE reference_id IS NOT NULL;
CREATE INDEX cases_account ON cases (account_id) WHERE account_id IS NOT NULL;
CREATE INDEX cases_inquiry ON cases (inquiry_id) WHERE inquiry_id IS NOT NULL;

CREATE TABLE reports (
  report_id TEXT PRIMARY KEY,
  report_type TEXT NOT NULL,
  reference_id TEXT,
  account_id TEXT,
  inquiry_id TEXT,
  status TEXT,
  has_match INTEGER,
  is_continuous INTEGER,
  status_at_ms INTEGER NOT NULL,
  status_event_id TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX reports_reference ON reports (reference_id) WHERE reference_id IS NOT NULL;
CREATE INDEX reports_account ON reports (account_id) WHERE account_id IS NOT NULL;
CREATE INDEX reports_inquiry ON reports (inquiry_id) WHERE inquiry_id IS NOT NULL;

CREATE TABLE accounts (
  account_id TEXT PRIMARY KEY,
  reference_id TEXT,
  status TEXT,
  status_at_ms INTEGER NOT NULL,
  status_event_id TEXT NOT NULL,
  redacted_at_ms INTEGER,
  updated_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX accounts_reference ON accounts (reference_id) WHERE reference_id IS NOT NULL;
CREATE INDEX inquiries_account ON inquiries (account_id) WHERE account_id IS NOT NULL;

CREATE TABLE kyc_decisions (
  reference_id TEXT PRIMARY KEY,
  decision TEXT NOT NULL,
  reasons TEXT NOT NULL,
  event_id TEXT,
  updated_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX kyc_decisions_decision ON kyc_decisions (decision);

CREATE TABLE kyc_rebuild (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  after_created_at_ms INTEGER NOT NULL DEFAULT -1,
  after_id TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO kyc_rebuild (id) SELECT 1 WHERE EXISTS (SELECT 1 FROM events);
`,
  },
  {
    version: 7,
    name: 'outbox',
    // The application endpoints, and one message per endpoint and decision change, written in the
    // transaction that changed the decision. `seq` orders a user's messages per endpoint; a message
    // being sent is `sending` with `next_attempt_at_ms` at its lease's end, so one index finds what is due.
    sql: `
CREATE TABLE app_endpoints (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  secrets TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  source TEXT NOT NULL CHECK (source IN ('env', 'cli')),
  created_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE outbox_messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  endpoint_id TEXT NOT NULL,
  reference_id TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'delivered', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at_ms INTEGER NOT NULL,
  next_attempt_at_ms INTEGER,
  lease_token TEXT,
  last_status_code INTEGER,
  last_error TEXT,
  delivered_at_ms INTEGER
);
CREATE INDEX outbox_due ON outbox_messages (next_attempt_at_ms, seq) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_order ON outbox_messages (endpoint_id, reference_id, seq) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_status ON outbox_messages (status, seq);

CREATE TABLE outbox_attempts (
  message_id TEXT NOT NULL REFERENCES outbox_messages (id) ON DELETE CASCADE,
  attempt INTEGER NOT NULL,
  started_at_ms INTEGER NOT NULL,
  duration_ms INTEGER,
  status_code INTEGER,
  error TEXT
) STRICT;
CREATE INDEX outbox_attempts_message ON outbox_attempts (message_id, started_at_ms);
`,
  },
  {
    version: 8,
    name: 'session-revocations',
    // Dashboard sign-outs, so a signed-out cookie stays refused after a restart and by every process on
    // the file. A row is needed only until the session's own expiry; sign-out deletes the expired ones.
    sql: `
CREATE TABLE session_revocations (
  session_id TEXT PRIMARY KEY,
  expires_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX session_revocations_expiry ON session_revocations (expires_at_ms);
`,
  },
  {
    version: 9,
    name: 'app-tokens',
    // Read-only API tokens for the customer's applications. Only a SHA-256 of each token is kept (the
    // tokens are 256 random bits, so a plain hash is enough): a copy of the database grants nothing.
    sql: `
CREATE TABLE app_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at_ms INTEGER NOT NULL,
  last_used_at_ms INTEGER,
  revoked_at_ms INTEGER
) STRICT;
`,
  },
  {
    version: 10,
    name: 'kyc-links-transactions-policy',
    // Every relationship between the decision's objects (both directions, only ever added), so a case
    // over several users or a report reached only through an inquiry's list concerns each of them;
    // transactions beside inquiries; a report's newest matching and clearing runs, kept apart from its
    // newest run so an errored run cannot hide a match; and the policy each decision was made under.
    // Links are seeded from the single ids stored so far (events whose bodies retention purged keep
    // what they had), then every stored event is projected again (`kyc_rebuild`), and a NULL policy
    // fingerprint makes the store decide every user again once it is done.
    sql: `
CREATE TABLE transactions (
  transaction_id TEXT PRIMARY KEY,
  reference_id TEXT,
  status TEXT,
  transaction_created_at_ms INTEGER,
  status_at_ms INTEGER NOT NULL,
  status_event_id TEXT NOT NULL,
  redacted_at_ms INTEGER,
  updated_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX transactions_reference ON transactions (reference_id) WHERE reference_id IS NOT NULL;

-- Keyed by kind after the object, so "this object's reports" (or cases, or accounts) is a range of
-- the key even for an account that thousands of inquiries name.
CREATE TABLE kyc_links (
  object_id TEXT NOT NULL,
  related_id TEXT NOT NULL,
  object_kind TEXT NOT NULL,
  related_kind TEXT NOT NULL,
  PRIMARY KEY (object_id, related_kind, related_id)
) STRICT, WITHOUT ROWID;
INSERT INTO kyc_links (object_id, related_id, object_kind, related_kind)
  SELECT case_id, account_id, 'case', 'account' FROM cases WHERE account_id IS NOT NULL
  UNION SELECT case_id, inquiry_id, 'case', 'inquiry' FROM cases WHERE inquiry_id IS NOT NULL
  UNION SELECT report_id, account_id, 'report', 'account' FROM reports WHERE account_id IS NOT NULL
  UNION SELECT report_id, inquiry_id, 'report', 'inquiry' FROM reports WHERE inquiry_id IS NOT NULL;
INSERT INTO kyc_links (object_id, related_id, object_kind, related_kind)
  SELECT related_id, object_id, related_kind, object_kind FROM kyc_links WHERE true
  ON CONFLICT (object_id, related_kind, related_id) DO NOTHING;

ALTER TABLE reports ADD COLUMN match_at_ms INTEGER;
ALTER TABLE reports ADD COLUMN match_event_id TEXT;
ALTER TABLE reports ADD COLUMN cleared_at_ms INTEGER;
ALTER TABLE reports ADD COLUMN cleared_event_id TEXT;
UPDATE reports SET match_at_ms = status_at_ms, match_event_id = status_event_id WHERE has_match = 1;
UPDATE reports SET cleared_at_ms = status_at_ms, cleared_event_id = status_event_id
  WHERE has_match = 0 AND status IN ('ready', 'completed');

CREATE TABLE kyc_policy (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  fingerprint TEXT,
  redecide_fingerprint TEXT,
  redecide_after TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO kyc_policy (id) VALUES (1);

INSERT INTO kyc_rebuild (id) SELECT 1 WHERE EXISTS (SELECT 1 FROM events)
  ON CONFLICT (id) DO UPDATE SET after_created_at_ms = -1, after_id = '';
`,
  },
  {
    version: 11,
    name: 'kyc-review-queue',
    // The review queue lists users newest decision change first, by decision or all together, in keyset
    // pages: each index serves one of the two in that order. The first also answers the counts per
    // decision (the metric, the overview), which the index it replaces did.
    sql: `
DROP INDEX kyc_decisions_decision;
CREATE INDEX kyc_decisions_queue ON kyc_decisions (decision, updated_at_ms, reference_id);
CREATE INDEX kyc_decisions_changed ON kyc_decisions (updated_at_ms, reference_id);
`,
  },
  {
    version: 12,
    name: 'delivery-controls',
    // Each attempt keeps the first KiB of the
    // answer and the headers it sent (signatures masked), and an attempt cut by a crash is marked
    // interrupted when its message is leased again. Two partial indexes serve claims with a per-endpoint
    // limit: one counts an endpoint's messages being sent, the other finds its due ones.
    sql: `
ALTER TABLE outbox_attempts ADD COLUMN response_excerpt TEXT;
ALTER TABLE outbox_attempts ADD COLUMN request_headers TEXT;
ALTER TABLE outbox_attempts ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_sending ON outbox_messages (endpoint_id, next_attempt_at_ms) WHERE status = 'sending';
CREATE INDEX outbox_endpoint_due ON outbox_messages (endpoint_id, next_attempt_at_ms, seq)
  WHERE status IN ('pending', 'sending');
`,
  },
  {
    version: 13,
    name: 'service-state-out',
    // App tokens, dashboard sign-outs and the reconciliation state belong to the persona-webhooks
    // service, which now keeps them in tables and migrations of its own (`service_*`); its first
    // migration renames these tables before this one runs, so for the service nothing is lost. A
    // library user gets rid of tables they never asked for. SQLite migrations are plain SQL, which
    // cannot drop a table only when it is empty: a file a service of an older release wrote and that is
    // now migrated by the library alone loses its tokens, sign-outs and checkpoint. Only that service
    // ever wrote them, and it adopts them first whenever it opens the file itself.
    sql: `
DROP TABLE IF EXISTS app_tokens;
DROP TABLE IF EXISTS session_revocations;
DROP TABLE IF EXISTS reconcile_state;
`,
  },
]);
