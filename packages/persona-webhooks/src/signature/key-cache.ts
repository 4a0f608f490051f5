/**
 * A small per-secret cache of prepared HMAC keys, shared by the Node and Web verifiers. Preparing a key
 * (`createSecretKey`, `crypto.subtle.importKey`) costs as much as hashing a small body, and a receiver
 * uses the same one or two secrets for every request, so each is prepared once.
 */

/** Receivers hold one secret, two during rotation; the bound only stops a misuse from growing without end. */
export const KEY_CACHE_LIMIT = 16;

/** Prepared keys by secret; the oldest entry is dropped when full. */
export class KeyCache<Key> {
  readonly #keys = new Map<string, Key>();

  constructor(
    /** Prepares the key for a secret; called once per secret while it stays cached. */
    private readonly prepare: (secret: string) => Key,
    private readonly limit = KEY_CACHE_LIMIT,
  ) {}

  /** The key for `secret`, prepared on first use. */
  get(secret: string): Key {
    const cached = this.#keys.get(secret);
    if (cached !== undefined) return cached;
    const key = this.prepare(secret);
    if (this.#keys.size >= this.limit) this.#keys.delete(this.#keys.keys().next().value!);
    this.#keys.set(secret, key);
    return key;
  }

  /** Forgets `secret` (used when preparing its key failed, so the next call retries). */
  delete(secret: string): void {
    this.#keys.delete(secret);
  }
}
