/**
 * One soak player on the official `@microsoft/signalr` client: a protocol, a
 * transport, a way of coming and going, and a person's pace at the button.
 * Everything it hears is written to its log in wire order (handlers and
 * completions both record through a microtask, queued in the order the
 * client dispatched them), for the checks to read afterwards.
 *
 * Ways of coming and going:
 * - `steady` stays; when its connection ends anyway it comes back after a few
 *   seconds, as a person reloading the page;
 * - `restart` leaves after 1 to 3 minutes, then every 3 to 6 (`stop()`), and comes back 5 to 30 s
 *   later;
 * - `auto` uses `withAutomaticReconnect()`; the soak cuts its network now and then;
 * - `stateful` uses `withStatefulReconnect()`; the soak cuts its network now
 *   and then, which the client must ride out on the same connection.
 *
 * @module
 */

import * as signalR from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import {
  ClientMethod,
  type EndRound,
  type GameInfo,
  HubMethod,
  type ScoreUpdate,
} from "../src/hub/wire.ts";
import { joinEvent, type SoakEvent } from "./soak_events.ts";
import { HumanPace } from "./soak_pace.ts";
import { randomMs, sleep } from "./timing.ts";
import type { SoakAccount } from "./soak_accounts.ts";

/** How a client comes and goes; see the module comment. */
export type Style = "steady" | "restart" | "auto" | "stateful";

/** What one soak client is. */
export interface ClientPlan {
  /** `ws-json-1` and so on. */
  readonly name: string;
  readonly protocol: "json" | "messagepack";
  readonly transport: signalR.HttpTransportType;
  readonly style: Style;
  /** Takes breaks of minutes. */
  readonly idler: boolean;
}

/** How long after the soak cut a client's network its reconnecting counts as expected. */
const CUT_WINDOW_MS = 5000;

/** A soak player; {@linkcode SoakClient.run} plays until its signal aborts. */
export class SoakClient {
  readonly plan: ClientPlan;
  readonly account: SoakAccount;
  /** What it heard, in wire order. */
  readonly events: SoakEvent[] = [];
  /** Round trips of answered invocations (ms) since {@linkcode drainRoundTrips}. */
  #roundTrips: number[] = [];
  /** Starts that failed, by the client's reason. */
  readonly startFailures = new Map<string, number>();
  readonly #url: string;
  readonly #pace: HumanPace;
  #connection: signalR.HubConnection | undefined;
  #joined = false;
  #stopping = false;
  #cutAt = -Infinity;
  #busy: Promise<void> = Promise.resolve();
  /** The client's own view: what its last answer said. */
  #score = 0;
  #cost = 10;

  /** `url` is the server's (or a proxy's) base URL, ending in `/`. */
  constructor(plan: ClientPlan, account: SoakAccount, url: string) {
    this.plan = plan;
    this.account = account;
    this.#url = url;
    this.#pace = new HumanPace({ idler: plan.idler });
  }

  /** The round trips since the last call, and forgets them. */
  drainRoundTrips(): number[] {
    const taken = this.#roundTrips;
    this.#roundTrips = [];
    return taken;
  }

  /** Whether it has a connection past its `GameInfo` now. */
  get connected(): boolean {
    return this.#joined && this.#connection?.state === signalR.HubConnectionState.Connected;
  }

  /** The soak is about to cut this client's network: the reconnect that follows is expected. */
  cutting(): void {
    this.#cutAt = performance.now();
    this.#record({ kind: "cut", at: Date.now() });
  }

  /**
   * Records what a handler heard: a microtask later, as the answer to an
   * invocation is recorded in its promise's reaction, so both keep the order
   * in which the client dispatched them, also when they came in one read.
   */
  #record(event: SoakEvent): void {
    queueMicrotask(() => this.events.push(event));
  }

  #build(): signalR.HubConnection {
    const { protocol, transport, style } = this.plan;
    const builder = new signalR.HubConnectionBuilder()
      .withUrl(this.#url + "game", {
        accessTokenFactory: () => this.account.token(),
        transport,
        // The client finds no EventSource of its own under Deno; the runtime has one.
        EventSource: globalThis.EventSource,
      } as signalR.IHttpConnectionOptions)
      .configureLogging(signalR.LogLevel.None);
    if (protocol === "messagepack") builder.withHubProtocol(new MessagePackHubProtocol());
    if (style === "stateful") builder.withStatefulReconnect();
    if (style === "auto") builder.withAutomaticReconnect([0, 1000, 2000, 5000, 10_000, 30_000]);
    const connection = builder.build();
    connection.on(ClientMethod.GameInfo, (info: GameInfo) => {
      this.#joined = true;
      this.#score = info.score;
      this.#cost = info.multiplierCost;
      this.#record(joinEvent(info, Date.now()));
    });
    connection.on(ClientMethod.EndRound, (end: EndRound) => {
      this.#score = 0;
      this.#cost = 10;
      this.#record({
        kind: "end",
        at: Date.now(),
        roundId: end.roundId,
        winners: [...(end.winners ?? [])],
        nbClicks: end.nbClicks,
      });
    });
    for (const name of [ClientMethod.PlayerCount, ClientMethod.Throttled, ClientMethod.Standing]) {
      connection.on(name, () => {});
    }
    connection.onreconnecting((error) => {
      this.#joined = false;
      const expected = performance.now() - this.#cutAt < CUT_WINDOW_MS;
      this.#record({ kind: "down", at: Date.now(), expected, reason: reasonOf(error, "lost") });
    });
    connection.onclose((error) => {
      this.#joined = false;
      const expected = this.#stopping ||
        (this.plan.style === "auto" && performance.now() - this.#cutAt < CUT_WINDOW_MS && !error);
      this.#record({ kind: "down", at: Date.now(), expected, reason: reasonOf(error, "closed") });
    });
    return connection;
  }

  /** Invokes `method` and records its answer, or that it was lost. */
  #invoke(
    connection: signalR.HubConnection,
    method: typeof HubMethod.Increment | typeof HubMethod.BuyMultiplier,
  ): Promise<void> {
    const started = performance.now();
    return connection.invoke<ScoreUpdate>(method).then(
      (result) => {
        this.#roundTrips.push(performance.now() - started);
        this.#score = result.score;
        this.#cost = result.multiplierCost;
        // Already a microtask after the dispatch: recorded now (see #record).
        this.events.push(
          method === HubMethod.Increment
            ? {
              kind: "click",
              at: Date.now(),
              score: result.score,
              multiplier: result.multiplier,
              counted: result.counted,
            }
            : { kind: "buy", at: Date.now(), ok: true, ...result },
        );
      },
      (error: Error) => {
        const text = String(error?.message ?? error);
        // Refused before it was sent: the server never saw it.
        if (/Cannot send data|not in the 'Connected' State/i.test(text)) return;
        if (method === HubMethod.BuyMultiplier && /Not enough points/i.test(text)) {
          this.#roundTrips.push(performance.now() - started);
          this.events.push({ kind: "buy", at: Date.now(), ok: false });
          return;
        }
        this.events.push({ kind: "lost", at: Date.now(), method });
      },
    );
  }

  async #click(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.#pace.next(), signal);
      const connection = this.#connection;
      if (signal.aborted || !connection || !this.connected || this.#stopping) continue;
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#busy = promise;
      try {
        await this.#invoke(connection, HubMethod.Increment);
        if (this.#score >= this.#cost && this.#pace.buys() && this.connected && !this.#stopping) {
          await this.#invoke(connection, HubMethod.BuyMultiplier);
        }
      } finally {
        resolve();
      }
    }
  }

  /** Plays until `signal` aborts, then stops its connection. */
  async run(signal: AbortSignal): Promise<void> {
    const clicking = this.#click(signal);
    let visits = 0;
    while (!signal.aborted) {
      const connection = this.#build();
      this.#connection = connection;
      const { promise: closed, resolve: onClosed } = Promise.withResolvers<"closed">();
      connection.onclose(() => onClosed("closed"));
      try {
        await connection.start();
      } catch (error) {
        const reason = reasonOf(error as Error, "refused");
        this.startFailures.set(reason, (this.startFailures.get(reason) ?? 0) + 1);
        await sleep(randomMs(2000, 5000), signal);
        continue;
      }
      const leave = new AbortController();
      const stop = () => leave.abort();
      signal.addEventListener("abort", stop, { once: true });
      // The first visit is shorter, so that a short soak sees people come back too.
      const stay = this.plan.style !== "restart"
        ? Infinity
        : visits++ === 0
        ? randomMs(60_000, 180_000)
        : randomMs(180_000, 360_000);
      const timer = Number.isFinite(stay) ? setTimeout(stop, stay) : undefined;
      const left = new Promise<"left">((resolve) =>
        leave.signal.addEventListener("abort", () => resolve("left"), { once: true })
      );
      const why = await Promise.race([closed, left]);
      clearTimeout(timer);
      signal.removeEventListener("abort", stop);
      if (why === "left") {
        // Leave as a person closes the tab: after the click in flight is answered.
        this.#stopping = true;
        await this.#busy;
        await connection.stop();
        this.#stopping = false;
        if (!signal.aborted) await sleep(randomMs(5000, 30_000), signal);
      } else {
        await sleep(randomMs(2000, 5000), signal);
      }
    }
    await clicking;
  }
}

function reasonOf(error: Error | undefined, otherwise: string): string {
  if (!error) return otherwise;
  // Ids and numbers vary; the rest of the sentence says what happened.
  return String(error.message ?? error).replace(/\d+/g, "N").slice(0, 160);
}
