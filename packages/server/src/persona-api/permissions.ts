/**
 * Which API-key permission each endpoint we call needs. Used by the client to say exactly what to grant
 * on a 403, and by the emulator to refuse a key that lacks it, so the two always agree.
 */

/**
 * The API-key permissions Persona documents (API Keys page: `<resource>.read|write`, multi-word
 * resources with underscores, e.g. `api_key.write`) for the endpoints this project calls.
 */
export type ApiPermission =
  | 'event.read'
  | 'webhook.read'
  | 'webhook.write'
  | 'inquiry.read'
  | 'inquiry.write';

export const API_PERMISSIONS: readonly ApiPermission[] = [
  'event.read',
  'webhook.read',
  'webhook.write',
  'inquiry.read',
  'inquiry.write',
];

/**
 * The documented permission a call needs, from its method and its path below the API base (`/events`,
 * `/webhooks/wbh_…/enable`, …). Null when Persona documents none for it (delivery records,
 * `/webhook-events/search`) or the path is not one we call: messages then name the call, never a guess.
 */
export function permissionFor(method: string, path: string): ApiPermission | null {
  const read = method.toUpperCase() === 'GET';
  const [, resource] = path.split('/');
  switch (resource) {
    case 'events':
      return 'event.read';
    case 'webhooks':
      return read ? 'webhook.read' : 'webhook.write';
    case 'inquiries':
      return read || path.endsWith('/search') ? 'inquiry.read' : 'inquiry.write';
    default:
      return null;
  }
}
