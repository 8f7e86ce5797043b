/**
 * The part of the `pg` package's API the PostgreSQL layer uses, typed here:
 * `pg` ships no types, and `@types/pg` brings Node.js typings that would
 * replace Deno's own timer and global types in every file of the program.
 *
 * @module
 */

/** A result as `pg` returns it. */
export interface QueryResult<R = Record<string, unknown>> {
  command: "UPDATE" | "DELETE" | "INSERT" | "SELECT" | "MERGE";
  rowCount: number;
  rows: R[];
}

/** One connection checked out of a pool. */
export interface PoolClient {
  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<QueryResult<R>>;
  /** A statement prepared on this connection under `name` the first time, then reused. */
  query<R>(
    config: { name: string; text: string; values: ReadonlyArray<unknown> },
  ): Promise<QueryResult<R>>;
  release(destroy?: boolean): void;
}

/** How values of a type arrive: `getTypeParser(oid)` returns the text parser. */
export interface CustomTypes {
  getTypeParser(oid: number, format?: string): (text: string) => unknown;
}

/** Options of a pool. */
export interface PoolConfig {
  connectionString?: string;
  /** Connections at most. */
  max?: number;
  /** How long `connect()` waits for a connection, in ms (0: forever). */
  connectionTimeoutMillis?: number;
  /** How long an idle connection stays open, in ms. */
  idleTimeoutMillis?: number;
  /** Per-query timeout enforced by the server, in ms. */
  statement_timeout?: number;
  /** Per-query timeout enforced by the client, in ms. */
  query_timeout?: number;
  types?: CustomTypes;
  application_name?: string;
}

/** A pool of connections. */
export declare class Pool {
  constructor(config?: PoolConfig);
  connect(): Promise<PoolClient>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): this;
}

/** The built-in type parsers. */
export declare const types: CustomTypes;

/** The package's default export. */
declare const pg: { Pool: typeof Pool; types: typeof types };
export default pg;
