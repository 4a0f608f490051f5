import { StoreUnavailableError } from '../../packages/persona-webhooks/src/errors.js';
import type {
  InboxEvent,
  InboxWriter,
  IngestOutcome,
  QuarantinedBody,
} from '../../packages/persona-webhooks/src/store/inbox/inbox.js';

/** An in-memory InboxWriter for pipeline tests: records rows, and can be switched to failing. */
export class MemoryInbox implements InboxWriter {
  readonly events = new Map<string, InboxEvent>();
  readonly quarantined = new Map<string, QuarantinedBody>();
  failing = false;

  async ingest(event: InboxEvent): Promise<IngestOutcome> {
    if (this.failing) throw new StoreUnavailableError();
    if (this.events.has(event.id)) return 'duplicate';
    this.events.set(event.id, event);
    return 'stored';
  }

  async quarantine(body: QuarantinedBody): Promise<IngestOutcome> {
    if (this.failing) throw new StoreUnavailableError();
    if (this.quarantined.has(body.sha256)) return 'duplicate';
    this.quarantined.set(body.sha256, body);
    return 'stored';
  }
}
