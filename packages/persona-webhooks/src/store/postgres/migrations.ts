/**
 * The PostgreSQL schema as numbered migrations, mirroring the SQLite ones column for column. They are
 * TypeScript modules so `tsc` ships them in dist/ with no copy step. Names are unqualified: the runner
 * sets `search_path` to the store's schema for the migration's transaction. Never edit a released
 * migration: add the next version instead.
 */

import type { Migration } from '../migration-plan.js';

/** A migration of this dialect: the SQL is PostgreSQL's. */
export type PostgresMigration = Migration;

/** Every migration, in version order. */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = Object.freeze([
  {
    version: 1,
    name: 'init',
    sql: `
CREATE TABLE events (
  id text PRIMARY KEY,
  name text NOT NULL,
  created_at text NOT NULL,
  created_at_ms bigint NOT NULL,
  object_type text,
  object_id text,
  inquiry_id text,
  account_id text,
  body bytea,
  attempts_made integer,
  attempts_left integer,
  first_attempted_at_ms bigint,
  received_at_ms bigint NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'processing', 'done', 'dead')),
  run_at_ms bigint NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  lease_token text,
  lease_expires_at_ms bigint,
  last_error text,
  processed_at_ms bigint
);

-- Partial: only open rows, so the claim scan stays small however many done rows pile up, and it
-- walks them already in processing order.
CREATE INDEX events_claim ON events (created_at_ms, id) WHERE status IN ('pending', 'processing');
CREATE INDEX events_status_received ON events (status, received_at_ms, id);
CREATE INDEX events_received ON events (received_at_ms, id);
CREATE INDEX events_inquiry ON events (inquiry_id) WHERE inquiry_id IS NOT NULL;
CREATE INDEX events_account ON events (account_id) WHERE account_id IS NOT NULL;

-- seq orders an event's history: a replayed event's attempt numbers restart, its history does not.
CREATE TABLE event_attempts (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  attempt integer NOT NULL,
  started_at_ms bigint NOT NULL,
  finished_at_ms bigint,
  outcome text CHECK (outcome IN ('done', 'retry', 'dead')),
  error text
);
CREATE INDEX event_attempts_event ON event_attempts (event_id, attempt);

CREATE TABLE inquiries (
  inquiry_id text PRIMARY KEY,
  reference_id text,
  account_id text,
  status text,
  status_at_ms bigint NOT NULL,
  status_event_id text NOT NULL,
  inquiry_created_at_ms bigint,
  redacted_at_ms bigint,
  updated_at_ms bigint NOT NULL
);
CREATE INDEX inquiries_reference ON inquiries (reference_id) WHERE reference_id IS NOT NULL;

CREATE TABLE verifications (
  verification_id text PRIMARY KEY,
  inquiry_id text,
  verification_type text NOT NULL,
  status text,
  status_at_ms bigint NOT NULL,
  status_event_id text NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'claim-index-only',
    // Version 1's claim index was used only when the statistics favoured it. On a table never analysed
    // (a new deployment's first backlog) or analysed while the queue was nearly empty, the planner
    // preferred `events_status_received` (status = 'pending' is an index condition there) plus a sort
    // of every open row: ~55 ms per claim at 20k open rows, against 0.05 ms for the ordered partial
    // scan. `NOT IN` is no index condition, so with this predicate (and the claim query written to
    // match) the partial index is the only index that can serve the claim.
    sql: `
DROP INDEX events_claim;
CREATE INDEX events_claim ON events (created_at_ms, id) WHERE status NOT IN ('done', 'dead');
`,
  },
  {
    version: 3,
    name: 'dashboard-reads',
    // Mirrors SQLite's version 3. reference_id lets a user's events be found before any has been
    // processed (a dead first event leaves no inquiries row to join through); older rows keep NULL and
    // are found through the inquiries their events projected. object_id and verifications.inquiry_id
    // serve the dashboard's exact-id search and its per-inquiry verification list.
    sql: `
ALTER TABLE events ADD COLUMN reference_id text;
CREATE INDEX events_reference ON events (reference_id) WHERE reference_id IS NOT NULL;
CREATE INDEX events_object ON events (object_id) WHERE object_id IS NOT NULL;
CREATE INDEX verifications_inquiry ON verifications (inquiry_id) WHERE inquiry_id IS NOT NULL;
`,
  },
  {
    version: 4,
    name: 'source-and-reconcile-state',
    // `source`: whether the webhook or reconciliation through Persona's Events API brought the event
    // (a constant default: no table rewrite). `reconcile_state`: one row every instance shares, holding
    // the checkpoint, the lease and the schedule, so one instance reconciles at a time.
    sql: `
ALTER TABLE events ADD COLUMN source text NOT NULL DEFAULT 'webhook' CHECK (source IN ('webhook', 'api'));

CREATE TABLE reconcile_state (
  id integer PRIMARY KEY CHECK (id = 1),
  checkpoint_ms bigint,
  next_run_at_ms bigint NOT NULL DEFAULT 0,
  lease_owner text,
  lease_expires_at_ms bigint,
  last_started_at_ms bigint,
  last_finished_at_ms bigint,
  last_result text CHECK (last_result IN ('ok', 'failed')),
  last_error text,
  failures integer NOT NULL DEFAULT 0,
  recovered_total bigint NOT NULL DEFAULT 0,
  last_recovered integer
);
INSERT INTO reconcile_state (id) VALUES (1);
`,
  },
  {
    version: 5,
    name: 'kyc-decision-facts',
    // Mirrors SQLite's version 6: cases, reports and accounts as the decision reads them (no personal
    // data), each user's decision with its reasons, and the marker of a pending rebuild of the facts of
    // events stored before this version; plus the marks of users to decide again, since many instances
    // decide after the facts commit rather than inside each completion. Match flags are integers (0/1), so SQLite and PostgreSQL
    // share one SQL text for them.
    sql: `
CREATE TABLE cases (
  case_id text PRIMARY KEY,
  reference_id text,
  account_id text,
  inquiry_id text,
  status text,
  resolution text,
  resolved_at_ms bigint,
  status_at_ms bigint NOT NULL,
  status_event_id text NOT NULL,
  redacted_at_ms bigint,
  updated_at_ms bigint NOT NULL
);
CREATE INDEX cases_reference ON cases (reference_id) WHERE reference_id IS NOT NULL;
CREATE INDEX cases_account ON cases (account_id) WHERE account_id IS NOT NULL;
CREATE INDEX cases_inquiry ON cases (inquiry_id) WHERE inquiry_id IS NOT NULL;

CREATE TABLE reports (
  report_id text PRIMARY KEY,
  report_type text NOT NULL,
  reference_id text,
  account_id text,
  inquiry_id text,
  status text,
  has_match integer,
  is_continuous integer,
  status_at_ms bigint NOT NULL,
  status_event_id text NOT NULL,
  updated_at_ms bigint NOT NULL
);
CREATE INDEX reports_reference ON reports (reference_id) WHERE reference_id IS NOT NULL;
CREATE INDEX reports_account ON reports (account_id) WHERE account_id IS NOT NULL;
CREATE INDEX reports_inquiry ON reports (inquiry_id) WHERE inquiry_id IS NOT NULL;

CREATE TABLE accounts (
  account_id text PRIMARY KEY,
  reference_id text,
  status text,
  status_at_ms bigint NOT NULL,
  status_event_id text NOT NULL,
  redacted_at_ms bigint,
  updated_at_ms bigint NOT NULL
);
CREATE INDEX accounts_reference ON accounts (reference_id) WHERE reference_id IS NOT NULL;
CREATE INDEX inquiries_account ON inquiries (account_id) WHERE account_id IS NOT NULL;

CREATE TABLE kyc_decisions (
  reference_id text PRIMARY KEY,
  decision text NOT NULL,
  reasons text NOT NULL,
  event_id text,
  updated_at_ms bigint NOT NULL
);
CREATE INDEX kyc_decisions_decision ON kyc_decisions (decision);

CREATE TABLE kyc_rebuild (
  id integer PRIMARY KEY CHECK (id = 1),
  after_created_at_ms bigint NOT NULL DEFAULT -1,
  after_id text NOT NULL DEFAULT ''
);
INSERT INTO kyc_rebuild (id) SELECT 1 WHERE EXISTS (SELECT 1 FROM events);

-- Users (r:), inquiries (i:) and accounts (a:) whose decision must be made again: written with the
-- facts, consumed by the decide pass (postgres/decider.ts).
CREATE TABLE kyc_dirty (
  key text PRIMARY KEY,
  seq bigint NOT NULL DEFAULT 1,
  event_id text
);
`,
  },
  {
    version: 6,
    name: 'outbox',
    // Mirrors SQLite's version 7: application endpoints, one message per endpoint and decision change
    // (written in the transaction that changed the decision), and each message's attempts.
    sql: `
CREATE TABLE app_endpoints (
  id text PRIMARY KEY,
  url text NOT NULL,
  secrets text NOT NULL,
  enabled integer NOT NULL DEFAULT 1,
  source text NOT NULL CHECK (source IN ('env', 'cli')),
  created_at_ms bigint NOT NULL
);

CREATE TABLE outbox_messages (
  seq bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE,
  endpoint_id text NOT NULL,
  reference_id text NOT NULL,
  payload text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'sending', 'delivered', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  created_at_ms bigint NOT NULL,
  next_attempt_at_ms bigint,
  lease_token text,
  last_status_code integer,
  last_error text,
  delivered_at_ms bigint
);
CREATE INDEX outbox_due ON outbox_messages (next_attempt_at_ms, seq) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_order ON outbox_messages (endpoint_id, reference_id, seq) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_status ON outbox_messages (status, seq);

CREATE TABLE outbox_attempts (
  message_id text NOT NULL REFERENCES outbox_messages (id) ON DELETE CASCADE,
  attempt integer NOT NULL,
  started_at_ms bigint NOT NULL,
  duration_ms bigint,
  status_code integer,
  error text
);
CREATE INDEX outbox_attempts_message ON outbox_attempts (message_id, started_at_ms);
`,
  },
  {
    version: 7,
    name: 'session-revocations',
    // Mirrors SQLite's version 8: dashboard sign-outs, shared by every instance on the schema, so a
    // signed-out cookie is refused everywhere and after restarts; rows past their expiry are deleted.
    sql: `
CREATE TABLE session_revocations (
  session_id text PRIMARY KEY,
  expires_at_ms bigint NOT NULL
);
CREATE INDEX session_revocations_expiry ON session_revocations (expires_at_ms);
`,
  },
  {
    version: 8,
    name: 'app-tokens',
    // Mirrors SQLite's version 9: read-only API tokens for applications, kept as SHA-256 hashes only.
    sql: `
CREATE TABLE app_tokens (
  id text PRIMARY KEY,
  name text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  created_at_ms bigint NOT NULL,
  last_used_at_ms bigint,
  revoked_at_ms bigint
);
`,
  },
  {
    version: 9,
    name: 'kyc-links-transactions-policy',
    // Mirrors SQLite's version 10: every link between the decision's objects, transactions, a report's
    // newest matching and clearing runs, and the policy each decision was made under (NULL: decide
    // every user again once the re-projection of stored events is done). The decider's inquiry (`i:`)
    // and account (`a:`) marks keep their meaning; it now expands every object mark through the links.
    sql: `
CREATE TABLE transactions (
  transaction_id text PRIMARY KEY,
  reference_id text,
  status text,
  transaction_created_at_ms bigint,
  status_at_ms bigint NOT NULL,
  status_event_id text NOT NULL,
  redacted_at_ms bigint,
  updated_at_ms bigint NOT NULL
);
CREATE INDEX transactions_reference ON transactions (reference_id) WHERE reference_id IS NOT NULL;

-- Keyed by kind after the object, so "this object's reports" (or cases, or accounts) is a range of
-- the key even for an account that thousands of inquiries name.
CREATE TABLE kyc_links (
  object_id text NOT NULL,
  related_id text NOT NULL,
  object_kind text NOT NULL,
  related_kind text NOT NULL,
  PRIMARY KEY (object_id, related_kind, related_id)
);
INSERT INTO kyc_links (object_id, related_id, object_kind, related_kind)
  SELECT case_id, account_id, 'case', 'account' FROM cases WHERE account_id IS NOT NULL
  UNION SELECT case_id, inquiry_id, 'case', 'inquiry' FROM cases WHERE inquiry_id IS NOT NULL
  UNION SELECT report_id, account_id, 'report', 'account' FROM reports WHERE account_id IS NOT NULL
  UNION SELECT report_id, inquiry_id, 'report', 'inquiry' FROM reports WHERE inquiry_id IS NOT NULL;
INSERT INTO kyc_links (object_id, related_id, object_kind, related_kind)
  SELECT related_id, object_id, related_kind, object_kind FROM kyc_links
  ON CONFLICT (object_id, related_kind, related_id) DO NOTHING;

ALTER TABLE reports ADD COLUMN match_at_ms bigint, ADD COLUMN match_event_id text,
  ADD COLUMN cleared_at_ms bigint, ADD COLUMN cleared_event_id text;
UPDATE reports SET match_at_ms = status_at_ms, match_event_id = status_event_id WHERE has_match = 1;
UPDATE reports SET cleared_at_ms = status_at_ms, cleared_event_id = status_event_id
  WHERE has_match = 0 AND status IN ('ready', 'completed');

CREATE TABLE kyc_policy (
  id integer PRIMARY KEY CHECK (id = 1),
  fingerprint text,
  redecide_fingerprint text,
  redecide_after text NOT NULL DEFAULT ''
);
INSERT INTO kyc_policy (id) VALUES (1);

INSERT INTO kyc_rebuild (id) SELECT 1 WHERE EXISTS (SELECT 1 FROM events)
  ON CONFLICT (id) DO UPDATE SET after_created_at_ms = -1, after_id = '';
`,
  },
  {
    version: 10,
    name: 'kyc-review-queue',
    // Mirrors SQLite's version 11: indexes for listing users newest decision change first, by decision
    // or all together; the first also serves the counts per decision, as the one it replaces did.
    sql: `
DROP INDEX kyc_decisions_decision;
CREATE INDEX kyc_decisions_queue ON kyc_decisions (decision, updated_at_ms, reference_id);
CREATE INDEX kyc_decisions_changed ON kyc_decisions (updated_at_ms, reference_id);
`,
  },
  {
    version: 11,
    name: 'delivery-controls',
    // Mirrors SQLite's version 12: the answer's
    // first KiB, the headers sent and the interrupted mark per attempt; indexes counting an endpoint's
    // messages being sent and finding its due ones.
    sql: `
ALTER TABLE outbox_attempts ADD COLUMN response_excerpt text;
ALTER TABLE outbox_attempts ADD COLUMN request_headers text;
ALTER TABLE outbox_attempts ADD COLUMN interrupted integer NOT NULL DEFAULT 0;
CREATE INDEX outbox_sending ON outbox_messages (endpoint_id, next_attempt_at_ms) WHERE status = 'sending';
CREATE INDEX outbox_endpoint_due ON outbox_messages (endpoint_id, next_attempt_at_ms, seq)
  WHERE status IN ('pending', 'sending');
`,
  },
  {
    version: 12,
    name: 'service-state-out',
    // Mirrors SQLite's version 13: app tokens, dashboard sign-outs and the reconciliation state belong
    // to the persona-webhooks service, which now keeps them in tables of its own (`service_*`) and
    // renames these before this migration runs. A library user gets rid of tables they never asked
    // for; a table still holding what a service of an older release wrote (a token, a sign-out, a
    // reconciliation that ever ran) is left as it is, for that service to adopt when it next starts.
    // Nested IFs: a table's query is only planned once the table is known to exist.
    sql: `
DO $$
BEGIN
  IF to_regclass('app_tokens') IS NOT NULL THEN
    IF NOT EXISTS (SELECT 1 FROM app_tokens) THEN DROP TABLE app_tokens; END IF;
  END IF;
  IF to_regclass('session_revocations') IS NOT NULL THEN
    IF NOT EXISTS (SELECT 1 FROM session_revocations) THEN DROP TABLE session_revocations; END IF;
  END IF;
  IF to_regclass('reconcile_state') IS NOT NULL THEN
    IF NOT EXISTS (SELECT 1 FROM reconcile_state WHERE last_started_at_ms IS NOT NULL) THEN
      DROP TABLE reconcile_state;
    END IF;
  END IF;
END $$;
`,
  },
  {
    version: 13,
    name: 'body-lz4',
    // Every stored body (6–7 kB for Persona's sample) is compressed into TOAST on insert, with pglz by
    // default: 3–4 % of the machine's CPU under ingest. lz4 compresses them several times faster.
    // Rows stored before keep pglz (PostgreSQL reads both). A server built without lz4, or older than
    // 14, refuses the clause: it keeps pglz and the migration still applies.
    sql: `
DO $$
BEGIN
  EXECUTE 'ALTER TABLE events ALTER COLUMN body SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported OR syntax_error OR invalid_parameter_value THEN
  NULL;
END $$;
`,
  },
]);
