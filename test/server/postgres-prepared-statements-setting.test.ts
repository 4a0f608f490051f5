/** The service's switch for named PostgreSQL statements (`statement-names.ts`). */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../packages/server/src/server/config/service-config.js';

describe('PERSONA_WEBHOOKS_PG_PREPARED_STATEMENTS', () => {
  const BASE = { PERSONA_WEBHOOK_SECRET: 'wbhsec_x' };

  it('is on unless set off, and refuses anything else', () => {
    expect(loadConfig(BASE).postgresPreparedStatements).toBe(true);
    expect(
      loadConfig({ ...BASE, PERSONA_WEBHOOKS_PG_PREPARED_STATEMENTS: 'off' }).postgresPreparedStatements,
    ).toBe(false);
    expect(() => loadConfig({ ...BASE, PERSONA_WEBHOOKS_PG_PREPARED_STATEMENTS: 'no' })).toThrow(ConfigError);
  });
});
