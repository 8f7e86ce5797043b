/**
 * The server's version, read from `deno.json` at build time: an imported
 * JSON file is part of the module graph, so `deno compile` embeds it.
 *
 * @module
 */

import project from "../deno.json" with { type: "json" };

/** The version `deno.json` names, or `0.0.0` when it names none. */
export const VERSION: string = (project as { version?: string }).version ?? "0.0.0";
