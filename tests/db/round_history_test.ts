/**
 * The history queries (`round_history_queries.ts`) on SQLite.
 *
 * @module
 */

import { roundHistoryQueries } from "./round_history_queries.ts";
import { SQLITE } from "./query_dialect.ts";

roundHistoryQueries(SQLITE);
