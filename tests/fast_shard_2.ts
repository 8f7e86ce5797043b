/**
 * Shard 2 of 2 of `deno task test:fast`: see `fast_selection.ts`.
 *
 * @module
 */

import { importShard } from "./fast_selection.ts";

await importShard(1, 2);
