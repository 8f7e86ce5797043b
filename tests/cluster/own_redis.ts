/**
 * A Redis server of a test's own, on a free port, keeping nothing on disk:
 * stopped and started again on the same port, it comes back empty.
 *
 * @module
 */

import { listening } from "../support/liveness.ts";
import { waitFor } from "./cluster_support.ts";

/** A Redis server run by the test, that can be stopped and started again on its port. */
export class OwnRedis {
  readonly port: number;
  readonly #dir: string;
  #child: Deno.ChildProcess | undefined;

  constructor(port: number, dir: string) {
    this.port = port;
    this.#dir = dir;
  }

  /** `redis://127.0.0.1:PORT` */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it, empty, and waits until it listens. */
  async start(): Promise<void> {
    this.#child = new Deno.Command("redis-server", {
      args: [
        "--port",
        String(this.port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        this.#dir,
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitFor("redis to listen", async () => await listening(this.port) || undefined, 5000, 20);
  }

  /** As Redis stops when told to: `SHUTDOWN NOSAVE`, and waits for the process to end. */
  async shutdownNoSave(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child) return;
    // Redis closes the connection as it goes: redis-cli's exit code says nothing.
    await new Deno.Command("redis-cli", {
      args: ["-p", String(this.port), "SHUTDOWN", "NOSAVE"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    await child.status;
  }

  /** Kills it (SIGKILL), if it runs. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child) return;
    child.kill("SIGKILL");
    await child.status;
  }
}
