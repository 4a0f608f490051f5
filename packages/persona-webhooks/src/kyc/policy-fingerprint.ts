/**
 * What names a policy in force, so a store can tell when it changed and decide every user again:
 * a settings policy's own fingerprint (the default rules' version and its settings), or for a custom
 * function a hash of its source text. A custom function whose behaviour depends on something outside
 * its source (a closure, a file) can set a `fingerprint` property of its own.
 */
import type { KycPolicy } from './decision.js';

/**
 * @example
 * policyFingerprint(defaultKycPolicy); // 'default-v2:{…}'
 * policyFingerprint((facts) => …);      // 'custom:5f1c…'
 */
export function policyFingerprint(policy: KycPolicy): string {
  const own = (policy as { fingerprint?: unknown }).fingerprint;
  if (typeof own === 'string' && own.length > 0) return own;
  return `custom:${hash53(String(policy))}`;
}

/** A 53-bit string hash (cyrb53): enough to notice a change, no node:crypto (the web entry point). */
function hash53(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16);
}
