/**
 * What the soak plays against: one server (`main.ts` with its default
 * settings, but a free port on 127.0.0.1 and a SQLite file in a temporary
 * folder), or, see `soak_cluster.ts`, three sharing Redis and PostgreSQL.
 * Either way the soak sees servers it can read from `/proc` and a way to read
 * the recorded rounds once they have stopped.
 *
 * @module
 */

import { join } from "node:path";
import { startServer } from "./processes.ts";
import { readRecorded, type Recorded } from "./soak_database.ts";
import { openDatabase } from "../src/db/open_database.ts";

/** A server the soak reads. */
export interface SoakServer {
  /** `http://127.0.0.1:PORT/` */
  readonly base: string;
  readonly pid: number;
}

/** What the soak plays against. */
export interface SoakTarget {
  /** One line saying what it is. */
  readonly description: string;
  readonly servers: readonly SoakServer[];
  /** Stops every server (safe to call twice). */
  stop(): Promise<void>;
  /** The rounds recorded; call after {@linkcode stop}. */
  recorded(): Promise<Recorded>;
  /** Removes what it made (files, databases, services). */
  dispose(): Promise<void>;
}

/** Starts one server on a SQLite file in a new temporary folder. */
export async function startSingle(): Promise<SoakTarget> {
  const dir = await Deno.makeTempDir({ prefix: "clicker-soak-" });
  const databasePath = join(dir, "clicker.db");
  const server = await startServer("main.ts", {
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_PATH: databasePath,
  });
  return {
    description: `one server ${server.base} (pid ${server.pid}) on SQLite ${databasePath}`,
    servers: [{ base: server.base, pid: server.pid }],
    stop: () => server.stop(),
    recorded: () => readRecorded(() => openDatabase(databasePath)),
    dispose: () => Deno.remove(dir, { recursive: true }),
  };
}
