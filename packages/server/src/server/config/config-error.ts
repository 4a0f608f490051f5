/** Thrown for a configuration a human must fix; the CLI prints the message and exits 1. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
