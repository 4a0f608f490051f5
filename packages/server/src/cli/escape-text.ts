/**
 * Text that came from elsewhere (an application's answer) as the terminal shows it: control
 * characters, escape sequences and bidirectional overrides written as `\u…`, so an answer cannot move
 * the cursor, recolour the terminal or reorder what is printed around it.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every unsafe character escaped; newlines and tabs kept. */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
