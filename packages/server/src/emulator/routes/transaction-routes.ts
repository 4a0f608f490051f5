/**
 * The emulator's control routes for transactions: create one for a user (their reference id) and set
 * its status, each answering the transaction and the events recorded. Behind the control key.
 */
import type { FastifyInstance } from 'fastify';
import type { EmulatorState } from '../emulator-state.js';
import { createTransaction, setTransactionStatus } from '../emulator-transactions.js';
import { transactionJson } from '../persona-json.js';
import { badRequest, eventRefs, step, text } from './control-steps.js';
import { bodyOf, sendPersonaError } from './route-context.js';

export function registerTransactionRoutes(app: FastifyInstance, state: EmulatorState): void {
  app.post('/_emulator/transactions', async (request, reply) => {
    const body = bodyOf(request.body);
    const referenceId = text(body['reference-id']);
    if (!referenceId) {
      return badRequest(reply, "reference-id is required: the transaction's user");
    }
    const status = body['status'] === undefined ? undefined : text(body['status']);
    if (status === null) return badRequest(reply, 'status must be text, e.g. approved');
    const { transaction, events } = createTransaction(state, { referenceId, ...(status ? { status } : {}) });
    return reply.code(201).send({ data: transactionJson(transaction), events: eventRefs(events) });
  });

  app.post<{ Params: { id: string } }>('/_emulator/transactions/:id/status', async (request, reply) => {
    const transaction = state.transactions.get(request.params.id);
    if (!transaction) {
      return sendPersonaError(
        reply,
        404,
        'Record not found',
        `No transaction ${request.params.id.slice(0, 64)}`,
      );
    }
    const status = text(bodyOf(request.body)['status']);
    if (!status) {
      return badRequest(reply, 'status is required, e.g. approved, declined or needs_review');
    }
    return step(reply, transaction, transactionJson, () => setTransactionStatus(state, transaction, status));
  });
}
