/**
 * The KYC tables the shared SQL names, and the two dialects it is rendered for.
 */

/** The tables these statements name, schema-qualified where needed. */
export interface KycTables {
  inquiries: string;
  transactions: string;
  cases: string;
  reports: string;
  accounts: string;
  links: string;
  decisions: string;
}

/** The plain names (SQLite, or PostgreSQL under its search_path). */
export const PLAIN_KYC_TABLES: KycTables = Object.freeze({
  inquiries: 'inquiries',
  transactions: 'transactions',
  cases: 'cases',
  reports: 'reports',
  accounts: 'accounts',
  links: 'kyc_links',
  decisions: 'kyc_decisions',
});

/** The two SQL dialects the shared statements are rendered for. */
export type KycDialect = 'sqlite' | 'postgres';
