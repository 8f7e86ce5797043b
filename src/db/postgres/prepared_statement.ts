/**
 * Statements PostgreSQL prepares once per connection: a statement whose text
 * starts with {@linkcode preparedAs}'s comment is parsed and planned the
 * first time a connection runs it, under that name, and later runs only
 * bind and execute it. For a statement run every round on the way to
 * `EndRound`, such as the record of a round; the connection wrapper of
 * `open_postgres.ts` reads the name.
 *
 * @module
 */

const NAMED = /^-- prepared: ([a-z_]+)\n/;

/** The comment that opens a statement to prepare as `name` (lowercase letters and `_`). */
export function preparedAs(name: string): string {
  if (!/^[a-z_]+$/.test(name)) {
    throw new RangeError(`Cannot prepare statement: invalid name "${name}"`);
  }
  return `-- prepared: ${name}\n`;
}

/** The name a statement's text asks to be prepared under; `undefined` when it asks not. */
export function preparedName(sqlText: string): string | undefined {
  return NAMED.exec(sqlText)?.[1];
}
