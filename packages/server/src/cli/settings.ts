/** Maps CLI flags onto the environment-variable settings, flags winning. */
import { DEFAULT_DATABASE_URL, type RawSettings } from '../server/config/service-config.js';

export interface ServeFlags {
  secret?: string;
  port?: string;
  host?: string;
  databaseUrl?: string;
  adminToken?: string;
  tolerance?: string;
  maxBodyBytes?: string;
  handlers?: string;
  logLevel?: string;
}

export function settingsFrom(env: NodeJS.ProcessEnv, flags: ServeFlags): RawSettings {
  return {
    ...env,
    PERSONA_WEBHOOK_SECRET: flags.secret ?? env['PERSONA_WEBHOOK_SECRET'],
    PORT: flags.port ?? env['PORT'],
    HOST: flags.host ?? env['HOST'],
    DATABASE_URL: flags.databaseUrl ?? env['DATABASE_URL'],
    ADMIN_TOKEN: flags.adminToken ?? env['ADMIN_TOKEN'],
    PERSONA_SIGNATURE_TOLERANCE_SECONDS: flags.tolerance ?? env['PERSONA_SIGNATURE_TOLERANCE_SECONDS'],
    PERSONA_WEBHOOK_MAX_BODY_BYTES: flags.maxBodyBytes ?? env['PERSONA_WEBHOOK_MAX_BODY_BYTES'],
    PERSONA_WEBHOOKS_HANDLERS: flags.handlers ?? env['PERSONA_WEBHOOKS_HANDLERS'],
    LOG_LEVEL: flags.logLevel ?? env['LOG_LEVEL'],
  };
}

/** The database the inspection commands open: --database-url, else DATABASE_URL, else the default file. */
export function databaseUrlFrom(flag: string | undefined): string {
  return flag ?? process.env['DATABASE_URL'] ?? DEFAULT_DATABASE_URL;
}
