/**
 * The service's SQL is written once with SQLite's named placeholders (`@name`, bound from one object)
 * and rendered here for PostgreSQL, whose driver only takes positional `$1…$n`. The library does the
 * same internally but does not export it, so the service keeps these few lines of its own. A name used
 * twice becomes one parameter; the SQL must not contain `@` anywhere else.
 */

/** A statement rendered for a positional driver, plus how to order one parameter object for it. */
export interface PositionalSql<P> {
  /** The SQL with `$1…$n` in place of `@name`. */
  readonly text: string;
  /** The parameter values in `$n` order; throws `TypeError` if the SQL names one `params` lacks. */
  values(params: P): unknown[];
}

const NAMED_PARAMETER = /@([A-Za-z_][A-Za-z0-9_]*)/g;

/** Renders `@name` placeholders as `$n`; do it once per statement, not per call. */
export function positional<P extends object>(template: string): PositionalSql<P> {
  const names: string[] = [];
  const text = template.replace(NAMED_PARAMETER, (_match, name: string) => {
    const seen = names.indexOf(name);
    return `$${seen === -1 ? names.push(name) : seen + 1}`;
  });
  return {
    text,
    values: (params) =>
      names.map((name) => {
        if (!(name in params)) throw new TypeError(`SQL parameter @${name} was not given.`);
        return (params as Record<string, unknown>)[name];
      }),
  };
}
