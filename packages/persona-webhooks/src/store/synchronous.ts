/**
 * A role's methods returning their results directly instead of promises: the shape of the SQLite
 * parts (better-sqlite3 is synchronous), which the store wraps in promises. Written once so that the
 * parts are typed by the role interface, not by a second list of the same methods.
 */
export type Synchronous<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : T[K];
};
