/**
 * Rounds and players' histories on SQLite (the suite also runs on
 * PostgreSQL: `../cluster/round_history_postgres_test.ts`).
 *
 * @module
 */

import { openDatabase } from "../../src/db/open_database.ts";
import { roundHistorySuite } from "./round_history_suite.ts";

Deno.test("round history on SQLite", async (t) => {
  await roundHistorySuite(t, async () => {
    const db = await openDatabase(":memory:");
    return { db, close: () => db.destroy() };
  });
});
