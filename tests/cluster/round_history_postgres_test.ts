/**
 * Rounds and players' histories on a real PostgreSQL: the suite of
 * `../db/round_history_suite.ts`, each step on a fresh database.
 *
 * @module
 */

import { openPostgres } from "../../src/db/postgres/open_postgres.ts";
import { roundHistorySuite } from "../db/round_history_suite.ts";
import { dropPostgres, freshPostgres } from "./services.ts";

Deno.test("round history on PostgreSQL", async (t) => {
  await roundHistorySuite(t, async () => {
    const url = await freshPostgres("round_history");
    const db = await openPostgres(url, { logError: () => {} });
    return {
      db,
      close: async () => {
        await db.destroy();
        await dropPostgres(url);
      },
    };
  });
});
