/** Dashboard sign-outs: service state (the library has no dashboard), kept beside the event store. */

/**
 * Dashboard sign-outs, in the database so that a signed-out session stays refused after a restart and
 * on every instance sharing it. Only ids are stored, never a cookie or its signature.
 */
export interface SessionRevocationStore {
  /**
   * Records that session `sessionId` was signed out; the record is kept until `expiresAtMs`, the
   * session's own expiry. Also deletes the records that have expired by `nowMs`.
   */
  revokeSession(sessionId: string, expiresAtMs: number, nowMs: number): Promise<void>;
  /** Whether session `sessionId` was signed out (and has not expired since: then its record may be gone). */
  isSessionRevoked(sessionId: string): Promise<boolean>;
}
