/**
 * A test's entry point: runs the server's `main()` as `main.ts` does, and,
 * with several servers, the server that closes round
 * `CLICKER_TEST_CRASH_AFTER_CLOSE` dies at once (SIGKILL, as `kill -9`),
 * between closing the round and recording it, so a test can check that the
 * next leader records it once.
 *
 * @module
 */

import { main } from "../../main.ts";

/** The variable naming the round to crash after. */
export const CRASH_AFTER_CLOSE_ENV = "CLICKER_TEST_CRASH_AFTER_CLOSE";

/** Kills this process right after it closes round `round`. */
function crashAfterClose(round: number): (id: number) => void {
  return (id) => {
    if (id === round) Deno.kill(Deno.pid, "SIGKILL");
  };
}

if (import.meta.main) {
  const raw = Deno.env.get(CRASH_AFTER_CLOSE_ENV);
  if (raw === undefined || !Number.isInteger(Number(raw))) {
    throw new TypeError(`Cannot crash: ${CRASH_AFTER_CLOSE_ENV} is not a round id`);
  }
  Deno.exit(await main(Deno.args, { afterClose: crashAfterClose(Number(raw)) }));
}
