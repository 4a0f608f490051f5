import { type Command, InvalidArgumentError } from 'commander';
import { formatDoctorReport } from '../../doctor/doctor-report.js';
import { findStoredEvents } from '../../doctor/recovered-events.js';
import { runDoctor } from '../../doctor/run-doctor.js';
import { API_URL_OPTION, apiClientFor, configuredSecrets } from '../api-client.js';
import { POLICY_OPTION, policyEventsFor } from '../policy-flag.js';
import { parseSince } from '../time-arguments.js';
import { withStore } from '../with-store.js';

interface DoctorFlags {
  url?: string;
  secret?: string;
  apiUrl?: string;
  pingTimeout: string;
  deliveriesSince: string;
  json?: boolean;
  databaseUrl?: string;
  policy?: string;
}

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description(
      "Why am I not receiving events? Reads the webhook's configuration through Persona's API and checks it: exists for the URL, enabled, the events the KYC status needs, the secret, API version, failed deliveries, and a signed ping. Exit 0 only when every check passes.",
    )
    .option('--url <url>', 'the public URL Persona should call, e.g. https://example.com/webhooks/persona')
    .option('--secret <secrets>', 'secret(s) to compare, comma-separated (default: PERSONA_WEBHOOK_SECRET)')
    .option(...API_URL_OPTION)
    .option('--ping-timeout <seconds>', 'how long the ping waits for an answer', '5')
    .option(
      '--deliveries-since <when>',
      'look for failed deliveries since (ISO time or a duration like 72h)',
      '72h',
    )
    .option(
      '--database-url <url>',
      "this receiver's store, to tell failed deliveries already recovered by reconciliation (default: DATABASE_URL or the default SQLite file)",
    )
    .option(...POLICY_OPTION)
    .option('--json', 'print the results as JSON')
    .action(async (flags: DoctorFlags) => {
      const timeout = Number(flags.pingTimeout);
      if (!(timeout > 0 && timeout <= 60))
        throw new InvalidArgumentError('--ping-timeout must be 1–60 seconds');
      if (flags.url !== undefined && !/^https?:\/\/./.test(flags.url)) {
        throw new InvalidArgumentError('--url must be an http(s) URL');
      }
      // Read first: a wrong policy file is named before any call to Persona.
      const requiredEvents = policyEventsFor(flags.policy);
      const client = apiClientFor(flags, 'for doctor');
      const results = await runDoctor({
        client,
        ...(flags.url ? { url: flags.url } : {}),
        requiredEvents,
        secrets: configuredSecrets(flags.secret),
        pingTimeoutMs: timeout * 1000,
        deliveriesSince: new Date(parseSince(flags.deliveriesSince, '--deliveries-since')),
        // Opened only when there are failed deliveries to look up; read-only, creates nothing.
        findStoredEvents: (ids) => withStore(flags.databaseUrl, (store) => findStoredEvents(store, ids)),
      });
      const failed = results.some((check) => check.status === 'failed');
      if (flags.json) process.stdout.write(`${JSON.stringify({ ok: !failed, checks: results }, null, 2)}\n`);
      else {
        const heading = `persona-webhooks doctor — Persona API ${client.baseUrl.href}${flags.url ? `, receiver ${flags.url}` : ''}`;
        process.stdout.write(formatDoctorReport(results, heading));
      }
      process.exitCode = failed ? 1 : 0;
    });
}
