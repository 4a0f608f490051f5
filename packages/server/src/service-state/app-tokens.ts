/**
 * Applications' read-only API tokens: what the service keeps of them. Service state, not the
 * library's: a library user never issues tokens, so the types and tables live in the server package.
 */

/**
 * A read-only API token of one of the customer's applications, as stored and listed. The token itself
 * is never stored: only its SHA-256 (`tokenHash`), which is how a request's token is looked up.
 */
export interface AppToken {
  /** `apt_…`: how the CLI names it (to revoke it); not secret. */
  id: string;
  /** The label it was created with, e.g. the application's name. */
  name: string;
  createdAtMs: number;
  /** When it last authenticated a request (kept to about a minute); null when never used. */
  lastUsedAtMs: number | null;
  /** Null while the token is valid. */
  revokedAtMs: number | null;
}

/** A token to store: its id, label and the hex SHA-256 of the token. */
export interface NewAppToken {
  id: string;
  name: string;
  tokenHash: string;
  createdAtMs: number;
}

/** What `revokeAppToken` did. */
export type RevokeAppTokenOutcome = 'revoked' | 'not_found' | 'already_revoked';

/** Applications' read-only API tokens, in the database so every instance sees a revocation at once. */
export interface AppTokenStore {
  /** Stores a new token (its hash only). */
  createAppToken(token: NewAppToken): Promise<void>;
  /** Every token, revoked ones included, oldest first. */
  listAppTokens(): Promise<AppToken[]>;
  /** The token with this hex SHA-256, revoked or not; null when there is none. */
  findAppToken(tokenHash: string): Promise<AppToken | null>;
  /** Records a use at `nowMs` (never moves `lastUsedAtMs` back). */
  touchAppToken(id: string, nowMs: number): Promise<void>;
  /** Revokes a token for good. */
  revokeAppToken(id: string, nowMs: number): Promise<RevokeAppTokenOutcome>;
}
