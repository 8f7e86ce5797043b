/**
 * The benchmark's baseline: the least work the Clicker wire contract allows.
 *
 * A bare `Deno.serve` + `Deno.upgradeWebSocket` server that accepts
 * `ws://HOST:PORT/game?access_token=...` (the token is ignored), answers the
 * SignalR JSON handshake, sends a `GameInfo`, splits records on `\x1e`, parses
 * them, counts `Increment`s and answers every invocation that carries an
 * `invocationId`. Rounds end on the same aligned grid as the project
 * (`start + k × duration`), each with one pre-encoded `EndRound` sent to every
 * socket. `POST /api/account/login` runs the same Argon2id hash as a real login,
 * so the login-lag scenario costs both servers the same CPU. No accounts, no
 * database, no click cap.
 *
 * Environment: `PORT` (0 = any), `HOST` (127.0.0.1), `ROUND_SECONDS` (30).
 * Prints the project's listening line (`src/listening_line.ts`) when ready.
 * Records and payloads are the project's own (`src/hub/wire.ts`).
 *
 * @module
 */

import {
  ClientMethod,
  type CompletionMessage,
  encodeRecord,
  type EndRound,
  type GameInfo,
  type HandshakeResponse,
  HubMethod,
  MessageType,
  RECORD_SEPARATOR,
  type ScoreUpdate,
} from "../src/hub/wire.ts";
import { formatListeningLine } from "../src/listening_line.ts";

const HANDSHAKE_OK = encodeRecord({} satisfies HandshakeResponse);
/** What every multiplier costs here: the baseline never sells one. */
const MULTIPLIER_COST = 10;
/** No click cap: the most the project's config accepts (`MAX_CLICKS_PER_SECOND`). */
const NO_CAP = 1_000_000_000;

interface Conn {
  readonly socket: WebSocket;
  handshaken: boolean;
  score: number;
}

/** Runs the baseline server until SIGTERM or SIGINT. */
async function main(): Promise<void> {
  const port = Number(Deno.env.get("PORT") ?? "0");
  const hostname = Deno.env.get("HOST") ?? "127.0.0.1";
  const roundMs = Math.round(Number(Deno.env.get("ROUND_SECONDS") ?? "30") * 1000);
  const conns = new Set<Conn>();
  const start = Date.now();
  let roundId = 1;
  let clicks = 0;
  let roundClicks = 0;

  const roundEndsAt = () => start + roundId * roundMs;

  function gameInfo(conn: Conn): string {
    const info = {
      nbWins: 0,
      multiplierCost: MULTIPLIER_COST,
      score: conn.score,
      multiplier: 1,
      roundId,
      roundEndsAt: roundEndsAt(),
      roundDurationMs: roundMs,
      serverTime: Date.now(),
      maxClicksPerSecond: NO_CAP,
      baseMultiplierCost: MULTIPLIER_COST,
      lastRound: null,
    } satisfies GameInfo;
    return encodeRecord({
      type: MessageType.Invocation,
      target: ClientMethod.GameInfo,
      arguments: [info],
    });
  }

  function onRecord(conn: Conn, text: string): void {
    if (!conn.handshaken) {
      conn.handshaken = true;
      conn.socket.send(HANDSHAKE_OK);
      conn.socket.send(gameInfo(conn));
      return;
    }
    const msg = JSON.parse(text);
    // Pings and anything else need no answer.
    if (msg.type !== MessageType.Invocation) return;
    let result: ScoreUpdate | null = null;
    if (msg.target === HubMethod.Increment) {
      clicks++;
      roundClicks++;
      conn.score++;
      result = { score: conn.score, multiplier: 1, multiplierCost: MULTIPLIER_COST, counted: true };
    }
    if (msg.invocationId !== undefined) {
      const completion = {
        type: MessageType.Completion,
        invocationId: msg.invocationId,
        result,
      } satisfies CompletionMessage;
      conn.socket.send(encodeRecord(completion));
    }
  }

  function endRound(): void {
    const ended = {
      winners: [],
      nbClicks: roundClicks,
      roundId,
      nextRoundEndsAt: roundEndsAt() + roundMs,
      standings: [],
    } satisfies EndRound;
    const frame = encodeRecord({
      type: MessageType.Invocation,
      target: ClientMethod.EndRound,
      arguments: [ended],
    });
    roundClicks = 0;
    roundId++;
    for (const conn of conns) {
      if (conn.handshaken && conn.socket.readyState === WebSocket.OPEN) conn.socket.send(frame);
    }
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  function schedule(): void {
    // Aligned on the server clock: each wait is recomputed from now, never summed.
    timer = setTimeout(() => {
      while (Date.now() >= roundEndsAt()) endRound();
      schedule();
    }, Math.max(0, roundEndsAt() - Date.now()));
  }
  schedule();

  async function login(req: Request): Promise<Response> {
    const body = await req.json();
    const key = await crypto.subtle.importKey(
      // Deno's Argon2 key format; cast for the type check that includes the DOM typings.
      "raw-secret" as unknown as "raw",
      new TextEncoder().encode(String(body.password)),
      "Argon2id",
      false,
      ["deriveBits"],
    );
    const nonce = crypto.getRandomValues(new Uint8Array(16));
    const params = { name: "Argon2id", nonce, memory: 19456, passes: 2, parallelism: 1 };
    await crypto.subtle.deriveBits(params as unknown as Algorithm, key, 256);
    return Response.json({ token: "baseline", username: body.username, expiresAt: 0 });
  }

  function handler(req: Request): Response | Promise<Response> {
    const url = new URL(req.url);
    const path = url.pathname.toLowerCase();
    if (path === "/game" && req.headers.get("upgrade")?.toLowerCase() === "websocket") {
      const { socket, response } = Deno.upgradeWebSocket(req);
      const conn: Conn = { socket, handshaken: false, score: 0 };
      socket.onopen = () => conns.add(conn);
      socket.onclose = () => conns.delete(conn);
      socket.onerror = () => {};
      socket.onmessage = (event) => {
        const data = event.data as string;
        let from = 0;
        for (
          let end = data.indexOf(RECORD_SEPARATOR);
          end !== -1;
          end = data.indexOf(RECORD_SEPARATOR, from)
        ) {
          try {
            onRecord(conn, data.slice(from, end));
          } catch {
            socket.close(1003, "bad record");
            return;
          }
          from = end + 1;
        }
      };
      return response;
    }
    if (path === "/healthz") {
      return Response.json({ status: "ok", clicks, connections: conns.size });
    }
    if (path === "/api/account/login" && req.method === "POST") return login(req);
    return new Response("Not found", { status: 404 });
  }

  const server = Deno.serve({
    port,
    hostname,
    onListen: ({ hostname, port }) =>
      console.log(formatListeningLine(`http://${hostname}:${port}/`)),
  }, handler);

  const stop = () => {
    clearTimeout(timer);
    for (const conn of conns) conn.socket.close(1001, "server stopping");
    // shutdown() waits for upgraded sockets to finish closing; give them a moment, no more.
    server.shutdown();
    setTimeout(() => Deno.exit(0), 200);
  };
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  await server.finished;
}

if (import.meta.main) await main();
