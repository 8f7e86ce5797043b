/**
 * The round and setting queries (`rounds_queries.ts`) on SQLite.
 *
 * @module
 */

import { roundQueries } from "./rounds_queries.ts";
import { SQLITE } from "./query_dialect.ts";

roundQueries(SQLITE);
