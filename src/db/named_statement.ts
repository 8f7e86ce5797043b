/**
 * Statements compiled once and run many times, their values bound by column
 * name. A compiled query takes its values as a bare array, where two numbers
 * can trade places unnoticed; here they come as an object typed by the
 * statement's columns, and which column fills which parameter is learnt once,
 * when the statement is compiled.
 *
 * @module
 */

import type { Compilable, CompiledQuery, QueryResult } from "kysely";

/** A compiled statement whose parameters are filled from a `Row`, by name. */
export interface NamedStatement<Row> {
  /** The statement as compiled, holding the sample's values. */
  readonly query: CompiledQuery;
  /** The column each parameter takes its value from, in the statement's order. */
  readonly columns: readonly (keyof Row)[];
}

/** What runs a compiled query: a database or a transaction. */
export interface QueryRunner {
  /** Runs a query as compiled. */
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
}

/**
 * Compiles `build(sample)` and learns which column fills each parameter by
 * finding the sample's values among the parameters. So the sample's values
 * must all differ, every parameter must come from the row and every column
 * must be used; a statement breaking any of these throws a `TypeError`.
 */
export function compileNamed<Row extends object>(
  sample: Row,
  build: (row: Row) => Compilable,
): NamedStatement<Row> {
  const query = build(sample).compile();
  const keys: (keyof Row)[] = [];
  for (const key in sample) {
    const twin = keys.find((other) => Object.is(sample[other], sample[key]));
    if (twin !== undefined) {
      throw new TypeError(
        `Cannot compile statement: columns "${
          String(twin)
        }" and "${key}" have the same sample value`,
      );
    }
    keys.push(key);
  }
  const columns = query.parameters.map((value, i) => {
    const column = keys.find((key) => Object.is(sample[key], value));
    if (column === undefined) {
      throw new TypeError(`Cannot compile statement: parameter ${i + 1} is not from the row`);
    }
    return column;
  });
  const unused = keys.filter((key) => !columns.includes(key));
  if (unused.length > 0) {
    throw new TypeError(`Cannot compile statement: column "${String(unused[0])}" is not used`);
  }
  return { query, columns };
}

/** Runs `statement` on `db` (a database or a transaction) with `row`'s values. */
export function runNamed<Row>(
  db: QueryRunner,
  statement: NamedStatement<Row>,
  row: Row,
): Promise<QueryResult<unknown>> {
  const parameters = statement.columns.map((column) => row[column]);
  return db.executeQuery({ ...statement.query, parameters });
}
