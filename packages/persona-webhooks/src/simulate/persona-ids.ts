const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random id shaped like Persona's: a prefix, `_`, 24 base62 characters (e.g. `inq_zEx4jL84ShbUyuwX6AzPSqt6`). */
export function personaId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  let id = `${prefix}_`;
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return id;
}
