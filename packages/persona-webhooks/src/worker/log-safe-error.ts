/**
 * A handler's error message, made fit for a log line. Messages quote whatever the handler had at hand —
 * a downstream's answer, the applicant's name from the payload — and logs are promised free of personal
 * data, so before a message is logged every string value of the event's own payload in it is replaced
 * by `[redacted]` (the same censor as the service's log redaction), as are e-mail addresses and long
 * digit runs (phone, document numbers) from anywhere; then it is cut to `MAX_LOGGED_ERROR`.
 * Persona ids, timestamps and the envelope's type/name/status words stay: they are what one debugs with.
 */
import { errorText } from './error-text.js';

/** Longest error text in a log line: enough to see what failed, too short to carry a record. */
export const MAX_LOGGED_ERROR = 300;

/** What replaces a redacted value; the service's pino `redact` uses the same word. */
export const REDACTED = '[redacted]';

/** Shorter payload values are left alone: a 1–2 letter value (`US`, `M`) would blank unrelated words. */
const MIN_REDACTED_CHARS = 3;
const PERSONA_ID = /^[a-z]{2,8}_[A-Za-z0-9]{6,}$/;
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d/;
/** Keys whose values describe the envelope, not a person. */
const SAFE_KEYS = new Set(['type', 'name', 'status']);
const EMAIL = /[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+\.[A-Za-z]{2,}/g;
const DIGIT_RUN = /\b\d(?:[\d .-]{4,}\d)\b/g;
/** Reads at most this many characters of the raw error before redacting, so a huge message stays cheap. */
const MAX_SCANNED = 4_000;

/**
 * The error as `Name: message`, with the payload's values and other personal-looking data replaced by
 * `[redacted]`, at most {@link MAX_LOGGED_ERROR} characters.
 *
 * @example
 * loggableErrorText(new Error('no account for Jane Example'), body); // 'Error: no account for [redacted] [redacted]'
 */
export function loggableErrorText(error: unknown, body: Uint8Array | string | null): string {
  let text = errorText(error, MAX_SCANNED);
  // Longest first: a value that contains another is replaced whole.
  for (const value of payloadValues(body).sort((a, b) => b.length - a.length)) {
    text = text.split(value).join(REDACTED);
  }
  text = text.replace(EMAIL, REDACTED).replace(DIGIT_RUN, REDACTED);
  return text.length > MAX_LOGGED_ERROR ? `${text.slice(0, MAX_LOGGED_ERROR - 1)}…` : text;
}

/** Every string in the payload that could be personal data (Persona writes none of it as a number). */
function payloadValues(body: Uint8Array | string | null): string[] {
  if (body === null) return [];
  let root: unknown;
  try {
    root = JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body));
  } catch {
    return [];
  }
  const values = new Set<string>();
  // An explicit stack: the body passed the parser's depth check, but a walk need not trust that.
  const stack: Array<{ key: string | null; value: unknown }> = [{ key: null, value: root }];
  while (stack.length > 0) {
    const { key, value } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.length >= MIN_REDACTED_CHARS && !isSafe(key, value)) values.add(value);
    } else if (Array.isArray(value)) {
      for (const item of value) stack.push({ key, value: item });
    } else if (typeof value === 'object' && value !== null) {
      for (const [childKey, child] of Object.entries(value)) stack.push({ key: childKey, value: child });
    }
  }
  return [...values];
}

function isSafe(key: string | null, value: string): boolean {
  return (key !== null && SAFE_KEYS.has(key)) || PERSONA_ID.test(value) || TIMESTAMP.test(value);
}
