/**
 * What an adapter hands the pipeline: the method, a way to read headers, and a way to read the raw body.
 * Nothing here is parsed — the signature covers the exact bytes, so they must reach the verifier untouched.
 */

/** Reads one header by lower-case name; node gives `string[]` for repeated headers, Web gives `string | null`. */
export type HeaderReader = (lowerCaseName: string) => string | readonly string[] | null | undefined;

export interface WebhookRequest {
  method: string;
  header: HeaderReader;
  /**
   * Reads the whole raw body. It is only called for a POST, and should enforce the byte limit while
   * reading (throwing `PayloadTooLargeError`) rather than after buffering everything.
   */
  readBody: () => Promise<Uint8Array>;
}

/** A header as one string: repeated headers are joined by a space, as rotation sets are. */
export function headerValue(request: WebhookRequest, name: string): string | undefined {
  const value = request.header(name);
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(' ');
}

/** A non-negative integer header such as `Persona-Webhook-Attempts-Made`, or null when absent or garbled. */
export function integerHeader(request: WebhookRequest, name: string): number | null {
  const value = headerValue(request, name)?.trim();
  if (!value || !/^\d{1,15}$/.test(value)) return null;
  return Number(value);
}
