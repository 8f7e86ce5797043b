/**
 * The account queries (`accounts_queries.ts`) on SQLite.
 *
 * @module
 */

import { accountQueries } from "./accounts_queries.ts";
import { SQLITE } from "./query_dialect.ts";

accountQueries(SQLITE);
