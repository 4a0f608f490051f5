/**
 * The user's handlers module (PERSONA_WEBHOOKS_HANDLERS), imported and checked once: its default export
 * registers handlers on the worker's dispatcher, and its optional `kycPolicy` export decides each user's
 * KYC status instead of the library's default policy. Node caches the import, so the service, the store
 * it opens and the store thread (which imports it on its own) all see the same module.
 *
 * @example
 * // handlers.mjs
 * export default function register(webhooks) {
 *   webhooks.on('inquiry.approved', async (event) => { await grantAccess(event.object.attributes.referenceId); });
 * }
 * export function kycPolicy(facts) {
 *   return facts.reports.some((r) => r.hasMatch) ? { decision: 'needs_review', reasons: [] } : defaultKycPolicy(facts);
 * }
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkedKycPolicy, type Dispatcher, type KycPolicy } from 'persona-webhooks';
import { ConfigError } from './config-error.js';

/** The default export of a handlers module. */
export type RegisterHandlers = (webhooks: Dispatcher) => void | Promise<void>;

/** What a handlers module provides, checked. */
export interface HandlersModule {
  /** Null when the module only exports a policy. */
  register: RegisterHandlers | null;
  /** Null when the module exports none: the store uses the library's default policy. */
  kycPolicy: KycPolicy | null;
}

/** TypeScript needs a compiler Node 20 does not have: say so instead of failing with a syntax error. */
const TYPESCRIPT_MODULE = /\.[cm]?ts$/i;

/** Imports the module at `modulePath`; a ConfigError names what is wrong with it. */
export async function importHandlersModule(modulePath: string): Promise<HandlersModule> {
  if (TYPESCRIPT_MODULE.test(modulePath)) {
    throw new ConfigError(
      `PERSONA_WEBHOOKS_HANDLERS: ${modulePath} is TypeScript, which Node.js cannot load by itself. Compile it to .js or .mjs (e.g. with tsc) and point the variable at the output.`,
    );
  }
  const url = pathToFileURL(resolve(modulePath)).href;
  let loaded: { default?: unknown; kycPolicy?: unknown };
  try {
    loaded = (await import(url)) as { default?: unknown; kycPolicy?: unknown };
  } catch (error) {
    throw new ConfigError(
      `PERSONA_WEBHOOKS_HANDLERS: cannot load ${modulePath}: ${(error as Error).message}`,
    );
  }
  if (loaded.kycPolicy !== undefined && typeof loaded.kycPolicy !== 'function') {
    throw new ConfigError(
      `PERSONA_WEBHOOKS_HANDLERS: ${modulePath} exports kycPolicy as ${describe(loaded.kycPolicy)}; it must be a function (facts) => ({ decision, reasons }).`,
    );
  }
  const kycPolicy = (loaded.kycPolicy as KycPolicy | undefined) ?? null;
  if (typeof loaded.default !== 'function' && (loaded.default !== undefined || kycPolicy === null)) {
    throw new ConfigError(
      `PERSONA_WEBHOOKS_HANDLERS: ${modulePath} must export a default function (webhooks) => { webhooks.on(...) }${
        kycPolicy === null ? ', a kycPolicy function, or both' : ''
      }.`,
    );
  }
  return { register: (loaded.default as RegisterHandlers | undefined) ?? null, kycPolicy };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/**
 * The `kycPolicy` the module exports, behind the service's check of its results; undefined when it
 * exports none (the store then uses the library's default).
 */
export async function loadKycPolicy(modulePath: string): Promise<KycPolicy | undefined> {
  const { kycPolicy } = await importHandlersModule(modulePath);
  return kycPolicy ? checkedKycPolicy(kycPolicy, { source: 'PERSONA_WEBHOOKS_HANDLERS' }) : undefined;
}
