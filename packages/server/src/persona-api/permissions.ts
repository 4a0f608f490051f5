/**
 * Which API-key permission each endpoint we call needs. Used by the client to say exactly what to grant
 * on a 403, and by the emulator to refuse a key that lacks it, so the two always agree.
 */

/** Permissions of the endpoints this project uses. */
export type ApiPermission =
  | 'event.read'
  | 'webhook.read'
  | 'webhook.write'
  | 'webhook-event.read'
  | 'inquiry.read'
  | 'inquiry.write';

export const API_PERMISSIONS: readonly ApiPermission[] = [
  'event.read',
  'webhook.read',
  'webhook.write',
  'webhook-event.read',
  'inquiry.read',
  'inquiry.write',
];

/**
 * The permission a call needs, from its method and its path below the API base (`/events`,
 * `/webhooks/wbh_…/enable`, …). Unknown paths need nothing we know of: null.
 */
export function permissionFor(method: string, path: string): ApiPermission | null {
  const read = method.toUpperCase() === 'GET';
  const [, resource] = path.split('/');
  switch (resource) {
    case 'events':
      return 'event.read';
    case 'webhooks':
      return read ? 'webhook.read' : 'webhook.write';
    case 'webhook-events':
      // Search is a POST that only reads.
      return 'webhook-event.read';
    case 'inquiries':
      return read || path.endsWith('/search') ? 'inquiry.read' : 'inquiry.write';
    default:
      return null;
  }
}
