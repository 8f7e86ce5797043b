/**
 * The wire, defined once: what the server, the page, the tests and the bench
 * say to each other. The SignalR JSON hub protocol's framing and message
 * numbers, the hub's method names, every hub payload, the close reasons, and
 * the HTTP bodies the page reads. Types, constants and two pure helpers only:
 * this module imports nothing, so any runtime (server, browser, tools) can use
 * it, and renaming a field breaks the type check wherever it is used.
 *
 * @module
 */

/** Ends every record of the JSON hub protocol. */
export const RECORD_SEPARATOR = "\x1e";

/** Message type numbers of the hub protocol. */
export const MessageType = {
  Invocation: 1,
  StreamItem: 2,
  Completion: 3,
  StreamInvocation: 4,
  CancelInvocation: 5,
  Ping: 6,
  Close: 7,
  Ack: 8,
  Sequence: 9,
} as const;

/** Hub methods a client invokes (they take no arguments). */
export const HubMethod = {
  Increment: "Increment",
  BuyMultiplier: "BuyMultiplier",
  /** From then on the connection gets `Race`. */
  WatchRace: "WatchRace",
} as const;

/** The name of a hub method a client invokes. */
export type HubMethod = typeof HubMethod[keyof typeof HubMethod];

/** Client methods the server invokes. */
export const ClientMethod = {
  GameInfo: "GameInfo",
  EndRound: "EndRound",
  PlayerCount: "PlayerCount",
  Throttled: "Throttled",
  Standing: "Standing",
  Race: "Race",
} as const;

/** The name of a client method the server invokes. */
export type ClientMethod = typeof ClientMethod[keyof typeof ClientMethod];

/** `GameInfo`: the caller's standing, the round, and the rules, right after the handshake. */
export interface GameInfo {
  /** All-time wins of the player. */
  readonly nbWins: number;
  /** What the next multiplier costs now. */
  readonly multiplierCost: number;
  readonly score: number;
  readonly multiplier: number;
  readonly roundId: number;
  /** End of the current round (epoch ms, server clock). */
  readonly roundEndsAt: number;
  readonly roundDurationMs: number;
  /** The server's clock when it sent this (epoch ms). */
  readonly serverTime: number;
  /** Clicks a player may make in a second; more are not counted. */
  readonly maxClicksPerSecond: number;
  /** What the first multiplier of a round costs, as every round starts. */
  readonly baseMultiplierCost: number;
  /** The last round announced (or recorded before this server started); null before any. */
  readonly lastRound: LastRound | null;
}

/** A finished round as `GameInfo` recalls it: what its `EndRound` said. */
export interface LastRound {
  readonly roundId: number;
  /** Everyone with the top score; `[]` when nobody scored. */
  readonly winners: readonly string[];
  /** The top score, in points; 0 when nobody scored. */
  readonly nbClicks: number;
}

/** The completion `result` of `Increment` and `BuyMultiplier`. */
export interface ScoreUpdate {
  readonly score: number;
  readonly multiplier: number;
  readonly multiplierCost: number;
  /** False when the click cap dropped the click. */
  readonly counted: boolean;
}

/** `EndRound`: sent to every client when a round closes. */
export interface EndRound {
  /** Everyone with the top score; `[]` when nobody scored. */
  readonly winners: readonly string[];
  /** The top score, 0 when nobody scored. */
  readonly nbClicks: number;
  readonly roundId: number;
  /** End of the round that just started (epoch ms, server clock). */
  readonly nextRoundEndsAt: number;
  /** The round's final top 10, highest score first; absent from servers that don't send it. */
  readonly standings?: readonly RaceEntry[];
}

/** A player's score in a round, as `Race` and `EndRound.standings` list them. */
export interface RaceEntry {
  readonly username: string;
  readonly score: number;
}

/** The watching player's own place in the race. */
export interface RaceYou {
  readonly score: number;
  /** 1-based among the players who scored; null while the player has not scored. */
  readonly rank: number | null;
}

/**
 * `Race`: the round as it stands, sent after `WatchRace` at most 4 times a
 * second, only when something changed.
 */
export interface Race {
  readonly roundId: number;
  /** The first 10 by score; ties by who reached the score first. */
  readonly top: readonly RaceEntry[];
  /** Players who scored this round. */
  readonly players: number;
  readonly you: RaceYou;
}

/**
 * `Standing`: the player's standing changed through another of their
 * connections (a click or a purchase in another tab). Same shape as a
 * completion's {@linkcode ScoreUpdate}; `counted` is always true.
 */
export type Standing = ScoreUpdate;

/** `PlayerCount`: players (not connections) online. */
export interface PlayerCount {
  readonly online: number;
}

/** `Throttled`: clicks were dropped by the cap. */
export interface Throttled {
  readonly maxClicksPerSecond: number;
}

/** The argument the server sends with each client method. */
export interface ClientMethodArguments {
  readonly GameInfo: GameInfo;
  readonly EndRound: EndRound;
  readonly PlayerCount: PlayerCount;
  readonly Throttled: Throttled;
  readonly Standing: Standing;
  readonly Race: Race;
}

/** The transports of the hub, as negotiate names them. */
export const Transport = {
  WebSockets: "WebSockets",
  ServerSentEvents: "ServerSentEvents",
  LongPolling: "LongPolling",
} as const;

/** The name of a transport. */
export type Transport = typeof Transport[keyof typeof Transport];

/** How a transport carries messages: UTF-8 text, or any bytes. */
export type TransferFormat = "Text" | "Binary";

/** What `POST /game/negotiate` answers; the client then connects with `connectionToken`. */
export interface NegotiateResponse {
  readonly negotiateVersion: number;
  readonly connectionId: string;
  /** Present from negotiate version 1 on. */
  readonly connectionToken?: string;
  /** Present, and true, when the client asked for stateful reconnect and the server grants it. */
  readonly useStatefulReconnect?: boolean;
  readonly availableTransports: readonly {
    readonly transport: Transport;
    readonly transferFormats: readonly TransferFormat[];
  }[];
}

/** The handshake a client opens with. */
export interface HandshakeRequest {
  readonly protocol: string;
  readonly version: number;
}

/** The handshake of the JSON hub protocol (version 2 turns stateful reconnect on, when negotiated). */
export const JSON_HANDSHAKE: HandshakeRequest = Object.freeze({ protocol: "json", version: 1 });

/** The handshake of the MessagePack hub protocol: binary messages after it. */
export const MESSAGEPACK_HANDSHAKE: HandshakeRequest = Object.freeze({
  protocol: "messagepack",
  version: 1,
});

/** The server's answer to the handshake: `{}`, or the error it closes with. */
export interface HandshakeResponse {
  readonly error?: string;
}

/** An invocation record; with an `invocationId` the receiver answers with one completion. */
export interface InvocationMessage {
  readonly type: typeof MessageType.Invocation;
  readonly invocationId?: string;
  readonly target: string;
  readonly arguments: readonly unknown[];
}

/** The answer to an invocation that had an `invocationId`: a `result` or an `error`. */
export interface CompletionMessage {
  readonly type: typeof MessageType.Completion;
  readonly invocationId: string;
  readonly result?: unknown;
  readonly error?: string;
}

/** Keeps the connection alive, both ways. */
export interface PingMessage {
  readonly type: typeof MessageType.Ping;
}

/**
 * Stateful reconnect: the sender has received every invocation and completion
 * up to `sequenceId` (they count from 1), so the peer may forget them.
 */
export interface AckMessage {
  readonly type: typeof MessageType.Ack;
  readonly sequenceId: number;
}

/**
 * Stateful reconnect: the first message on a resumed connection, giving the
 * number of the next invocation or completion the sender sends (it may
 * repeat some the peer already has; the peer skips those).
 */
export interface SequenceMessage {
  readonly type: typeof MessageType.Sequence;
  readonly sequenceId: number;
}

/**
 * Why the server ended a connection, for programs to act on; `error` says it
 * in words for people. The set is closed: a client may rely on these names.
 */
export const CloseReason = {
  /** The token the connection was opened with expired: log in again. */
  TokenExpired: "token-expired",
  /** The player opened more connections than allowed; this was the oldest. */
  TooManyConnections: "too-many-connections",
  /** The server is stopping; reconnecting later is fine. */
  ShuttingDown: "server-shutting-down",
  /** A record broke the protocol (not JSON, unknown type, binary frame …). */
  ProtocolError: "protocol-error",
  /** The handshake was not JSON, or asked for another protocol or version. */
  HandshakeRefused: "handshake-refused",
  /** A message or record was over the size limit. */
  MessageTooLarge: "message-too-large",
  /** Too many messages or bytes in one second. */
  OverBudget: "over-budget",
  /** The client did not read what the server sent. */
  ClientTooSlow: "client-too-slow",
  /** Nothing heard from the client for too long. */
  ServerTimeout: "server-timeout",
  /** Something went wrong on the server. */
  ServerError: "server-error",
} as const;

/** A machine-readable close reason. */
export type CloseReason = typeof CloseReason[keyof typeof CloseReason];

const CLOSE_REASONS: ReadonlySet<string> = new Set(Object.values(CloseReason));

/** Whether `value` is one of the {@linkcode CloseReason} codes. */
export function isCloseReason(value: unknown): value is CloseReason {
  return typeof value === "string" && CLOSE_REASONS.has(value);
}

/**
 * The server ends the connection. `reason` is this server's addition to the
 * protocol; clients that don't know it ignore it.
 */
export interface CloseMessage {
  readonly type: typeof MessageType.Close;
  /** What the client should show. */
  readonly error?: string;
  readonly allowReconnect?: boolean;
  readonly reason?: CloseReason;
}

/** What `POST /api/account/register` takes. */
export interface RegisterInput {
  readonly username: string;
  readonly email: string;
  readonly password: string;
  readonly passwordConfirm: string;
}

/** What `POST /api/account/login` takes. */
export interface LoginInput {
  readonly username: string;
  readonly password: string;
}

/** What `POST /api/account/login` answers: the player's credentials. */
export interface LoginSuccess {
  readonly token: string;
  readonly username: string;
  /** Token expiry (epoch ms, server clock). */
  readonly expiresAt: number;
}

/**
 * What `GET /api/account/session` answers when the request carries a valid
 * token, from the sign-in cookie or an `Authorization` header.
 */
export interface SessionInfo {
  readonly username: string;
  /** Token expiry (epoch ms, server clock). */
  readonly expiresAt: number;
}

/** The body of every HTTP error, and of register's success. */
export interface MessageBody {
  readonly message: string;
}

/** One row of `GET /api/leaderboard`. */
export interface LeaderboardEntry {
  readonly username: string;
  readonly nbWins: number;
}

/** One row of `GET /api/rounds`. */
export interface RoundSummary {
  readonly id: number;
  /** When the round ended (epoch ms). */
  readonly endedAt: number;
  readonly winners: readonly string[];
  readonly nbClicks: number;
  /** Players who scored in it. */
  readonly players: number;
}

/** One of a player's last rounds, in {@linkcode PlayerHistory}. */
export interface PlayerRound {
  readonly roundId: number;
  /** When the round ended (epoch ms). */
  readonly endedAt: number;
  readonly score: number;
  /** 1-based place in the round. */
  readonly rank: number;
  readonly won: boolean;
}

/** What `GET /api/players/{username}` answers. */
export interface PlayerHistory {
  readonly username: string;
  readonly nbWins: number;
  readonly roundsPlayed: number;
  readonly bestScore: number;
  /** Newest first. */
  readonly lastRounds: readonly PlayerRound[];
}

/** One record: the JSON of `value` followed by the separator. */
export function encodeRecord(value: unknown): string {
  return JSON.stringify(value) + RECORD_SEPARATOR;
}

/**
 * Appends `chunk` to the unfinished text `rest` and returns the complete
 * records it now holds (without separators, empty ones skipped) and what is
 * left over for the next chunk.
 */
export function splitRecords(rest: string, chunk: string): { records: string[]; rest: string } {
  const parts = (rest + chunk).split(RECORD_SEPARATOR);
  const remainder = parts.pop() ?? "";
  return { records: parts.filter((part) => part.length > 0), rest: remainder };
}
