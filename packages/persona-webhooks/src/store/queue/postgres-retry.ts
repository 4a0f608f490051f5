/**
 * Retries a worker write that PostgreSQL aborted as a deadlock or serialization failure: those between
 * a redaction's body scrub and another completion, or between two grouped completions taking the same
 * rows in another order, are rare and safe to retry (the write rolled back as a whole).
 */
import { errorCode } from '../postgres/store-error.js';

const TRIES = 3;
const RETRYABLE = new Set(['40P01', '40001']);

/** Runs `work`, again (up to three times in all) while it fails with a deadlock or serialization error. */
export async function retryOnConflict<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= TRIES || !RETRYABLE.has(errorCode(error) ?? '')) throw error;
    }
  }
}
