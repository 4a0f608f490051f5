/**
 * A SQLite store file with app endpoints and outbox messages already due, for the outbox benches: the
 * endpoints go through the store (as the service writes them), the messages straight into the table in
 * one transaction (writing thousands through decisions would measure the decisions).
 */
import Database from 'better-sqlite3';
import { createSqliteFileStore } from '../../packages/server/src/sqlite-file-store.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** One due message: its endpoint, its user and its payload. */
export interface DueMessage {
  endpointId: string;
  referenceId: string;
  payload: string;
}

/** Migrates `file`, adds the endpoints (id → URL) and `count` due messages (`message(i)` for each). */
export async function fillOutboxFile(
  file: string,
  endpoints: Readonly<Record<string, string>>,
  count: number,
  message: (i: number) => DueMessage,
): Promise<void> {
  const setup = createSqliteFileStore(file);
  await setup.migrate();
  for (const [id, url] of Object.entries(endpoints)) {
    await setup.putEndpoint({
      id,
      url,
      secrets: [{ secret: SECRET, expiresAtMs: null }],
      enabled: true,
      source: 'cli',
      createdAtMs: 1,
    });
  }
  await setup.close();
  const db = new Database(file);
  const insert = db.prepare(
    `INSERT INTO outbox_messages (id, endpoint_id, reference_id, payload, status, attempts, created_at_ms,
      next_attempt_at_ms) VALUES (?, ?, ?, ?, 'pending', 0, 1, 1)`,
  );
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const { endpointId, referenceId, payload } = message(i);
      insert.run(`msg_${i}`, endpointId, referenceId, payload);
    }
  })();
  db.close();
}
