/**
 * A test's entry point: runs the server's `main()` as `main.ts` does, and
 * on SIGUSR2 leaves a rejected promise unhandled, as a bug would.
 *
 * @module
 */

import { main } from "../../main.ts";

Deno.addSignalListener("SIGUSR2", () => {
  Promise.reject(new Error("boom"));
});

if (import.meta.main) Deno.exit(await main(Deno.args));
