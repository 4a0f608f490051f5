/**
 * The response every adapter writes, and the one place that serialises response bodies. Internal:
 * users see `WebhookResponse` only as what `pipeline.handle` returns.
 */
/** The response shape every adapter writes: status, headers and an already-serialised JSON body. */
export interface WebhookResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'application/json; charset=utf-8',
});

/** Builds a JSON response; the one place that serialises response bodies. */
export function jsonResponse(status: number, payload: unknown): WebhookResponse {
  return { status, headers: { ...JSON_HEADERS }, body: JSON.stringify(payload) };
}
