/**
 * Transactions in the emulated environment: an event of a user's (an onboarding, a payout) with the
 * user's `reference-id`, a status the organisation names itself, and the account and inquiries it
 * relates to. Reports may run on one and cases may be about one (see `emulator-compliance.ts`).
 */
import { personaId } from 'persona-webhooks/testing';
import type { EmulatedEvent, EmulatedTransaction } from './emulator-model.js';
import type { EmulatorState } from './emulator-state.js';

/** Creates a transaction of `referenceId`, tied to their newest inquiry if any: `transaction.created`. */
export function createTransaction(
  state: EmulatorState,
  input: { referenceId: string; status?: string },
): { transaction: EmulatedTransaction; events: EmulatedEvent[] } {
  const inquiry = state.newestInquiryOf(input.referenceId);
  const transaction: EmulatedTransaction = {
    id: personaId('txn'),
    referenceId: input.referenceId,
    // Persona relates a transaction to the account of its reference id, as it does an inquiry.
    accountId: inquiry?.accountId ?? personaId('act'),
    inquiryIds: inquiry ? [inquiry.id] : [],
    status: input.status ?? 'created',
    createdAtMs: state.now(),
  };
  state.transactions.set(transaction.id, transaction);
  return { transaction, events: [recordTransactionEvent(state, transaction, 'transaction.created')] };
}

/** Sets a transaction's status (`approved`, `needs_review`, an organisation's own): `transaction.status-updated`. */
export function setTransactionStatus(
  state: EmulatorState,
  transaction: EmulatedTransaction,
  status: string,
): EmulatedEvent[] {
  transaction.status = status;
  return [recordTransactionEvent(state, transaction, 'transaction.status-updated')];
}

function recordTransactionEvent(
  state: EmulatorState,
  transaction: EmulatedTransaction,
  name: string,
): EmulatedEvent {
  return state.recordEvent({
    name,
    transactionId: transaction.id,
    referenceId: transaction.referenceId,
    accountId: transaction.accountId,
    status: transaction.status,
    // The builder relates one inquiry; the emulator ties a transaction to the user's newest.
    ...(transaction.inquiryIds[0] ? { inquiryId: transaction.inquiryIds[0] } : {}),
  });
}
