/**
 * Fetch wrappers for the server's HTTP routes: register, log in, renew the
 * token, the sign-in cookie's session and logout, leaderboard, recent
 * rounds, a player's history, and probes that tell whether the hub would refuse a token and
 * whether the server answers at all. Refusals are values carrying the
 * server's own message; nothing here throws for a failed request.
 *
 * @module
 */

import type {
  LeaderboardEntry,
  LoginInput,
  LoginSuccess,
  PlayerHistory,
  PlayerRound,
  RegisterInput,
  RoundSummary,
} from "../../src/hub/wire.ts";

/** A route's refusal: the status and the server's message. */
export interface ApiFailure {
  readonly ok: false;
  readonly status: number;
  readonly message: string;
  /** For a 429 with `Retry-After`: how long until the server takes the request again, in ms. */
  readonly retryAfterMs?: number;
}

/** The answer of a route: its value, or the server's message. */
export type ApiResult<T> = { readonly ok: true; readonly value: T } | ApiFailure;

/** What `fetch` looks like to this module, so tests may pass their own. */
export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

const UNREACHABLE = "Can't reach the server. Check the connection and try again.";

/** `POST /api/account/register`; resolves with the server's message. */
export function register(input: RegisterInput, fetchFn: Fetch = fetch): Promise<ApiResult<string>> {
  return request(fetchFn, "/api/account/register", { method: "POST", body: input }, (body) => {
    const message = messageOf(body);
    return message ?? "Account created.";
  });
}

/** `POST /api/account/login`. */
export function login(
  username: string,
  password: string,
  fetchFn: Fetch = fetch,
): Promise<ApiResult<LoginSuccess>> {
  return request(fetchFn, "/api/account/login", {
    method: "POST",
    body: { username, password } satisfies LoginInput,
  }, asLoginSuccess);
}

/**
 * `POST /api/account/renew`: a fresh token for the current one, sent as
 * `Authorization: Bearer`, or, with `token` null, for the sign-in cookie.
 */
export function renew(
  token: string | null,
  fetchFn: Fetch = fetch,
): Promise<ApiResult<LoginSuccess>> {
  return request(fetchFn, "/api/account/renew", { method: "POST", token }, asLoginSuccess);
}

/** Who the sign-in cookie names, as `GET /api/account/session` answers. */
export type CookieSession =
  /** A valid session: the player and when it ends (epoch ms, server clock). */
  | { readonly kind: "signed-in"; readonly username: string; readonly expiresAt: number }
  /** No cookie, or one the server refuses. */
  | { readonly kind: "signed-out" }
  /** This server has no sign-in cookie, or could not be asked: the page keeps the token. */
  | { readonly kind: "unavailable" };

/** `GET /api/account/session`: whether the sign-in cookie names a valid session. */
export async function fetchSession(fetchFn: Fetch = fetch): Promise<CookieSession> {
  const answer = await request(fetchFn, "/api/account/session", { method: "GET" }, (body) => {
    const value = body as { username?: unknown; expiresAt?: unknown } | null;
    if (typeof value?.username !== "string") {
      throw new SyntaxError("Cannot read session answer: missing username");
    }
    return { username: value.username, expiresAt: Number(value.expiresAt) };
  });
  if (answer.ok) return { kind: "signed-in", ...answer.value };
  return answer.status === 401 ? { kind: "signed-out" } : { kind: "unavailable" };
}

/** `POST /api/account/logout`: clears the sign-in cookie; a server without one has nothing to clear. */
export async function logout(fetchFn: Fetch = fetch): Promise<void> {
  await request(fetchFn, "/api/account/logout", { method: "POST" }, () => undefined);
}

/** `GET /api/leaderboard?limit=N`: most wins first. */
export function fetchLeaderboard(
  limit: number,
  fetchFn: Fetch = fetch,
): Promise<ApiResult<LeaderboardEntry[]>> {
  return request(
    fetchFn,
    `/api/leaderboard?limit=${limit}`,
    { method: "GET" },
    asArray<LeaderboardEntry>,
  );
}

/**
 * `GET /api/rounds?limit=N`: newest first, the rounds somebody played (a
 * server older than that lists the empty ones too); with `before`, only
 * rounds older than that id.
 */
export function fetchRounds(
  limit: number,
  fetchFn: Fetch = fetch,
  before?: number,
): Promise<ApiResult<RoundSummary[]>> {
  const page = before === undefined ? "" : `&before=${before}`;
  return request(
    fetchFn,
    `/api/rounds?limit=${limit}${page}`,
    { method: "GET" },
    asArray<RoundSummary>,
  );
}

/** `GET /api/players/{username}`: the player's wins, rounds played, best score and last rounds. */
export function fetchPlayer(
  username: string,
  fetchFn: Fetch = fetch,
): Promise<ApiResult<PlayerHistory>> {
  return request(
    fetchFn,
    `/api/players/${encodeURIComponent(username)}`,
    { method: "GET" },
    asPlayerHistory,
  );
}

/** How the hub would treat a token: accept it, refuse it (401), or no answer at all. */
export type TokenVerdict = "accepted" | "refused" | "unreachable";

/**
 * Asks the hub's negotiate route about `token`. A browser can't see the
 * status of a refused WebSocket upgrade, so after a failed connect this is
 * how the page learns whether to reconnect or to ask for a new login.
 */
export async function probeToken(
  token: string | null,
  fetchFn: Fetch = fetch,
): Promise<TokenVerdict> {
  try {
    const response = await fetchFn("/game/negotiate?negotiateVersion=1", {
      method: "POST",
      headers: token === null ? undefined : { Authorization: `Bearer ${token}` },
    });
    await response.body?.cancel();
    return response.status === 401 ? "refused" : response.status < 500 ? "accepted" : "unreachable";
  } catch {
    return "unreachable";
  }
}

/**
 * Whether the server is back and well (`/healthz` answers 200): asked while
 * the hub can't be reached, so the page reconnects the moment it is. Any
 * other answer counts as not yet: a proxy's 502 for a server that is down,
 * or the server's own 503, would otherwise wake the page again and again.
 */
export async function probeServer(fetchFn: Fetch = fetch): Promise<boolean> {
  try {
    const response = await fetchFn("/healthz", { method: "GET", cache: "no-store" });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

async function request<T>(
  fetchFn: Fetch,
  path: string,
  init: { method: string; body?: unknown; token?: string | null },
  read: (body: unknown) => T,
): Promise<ApiResult<T>> {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  if (typeof init.token === "string") headers.Authorization = `Bearer ${init.token}`;
  let response: Response;
  try {
    response = await fetchFn(path, {
      method: init.method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch {
    return { ok: false, status: 0, message: UNREACHABLE };
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) return failure(response, body);
  try {
    return { ok: true, value: read(body) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, status: response.status, message };
  }
}

// The wait of a 429 travels beside the message, for the page to count down.
function failure(response: Response, body: unknown): ApiFailure {
  const { status } = response;
  const message = messageOf(body) ?? `The server answered ${status}.`;
  const retryAfter = Number(response.headers.get("Retry-After"));
  if (status === 429 && retryAfter > 0) {
    return { ok: false, status, message, retryAfterMs: retryAfter * 1000 };
  }
  return { ok: false, status, message };
}

function messageOf(body: unknown): string | undefined {
  if (typeof body === "object" && body !== null && "message" in body) {
    const message = (body as { message: unknown }).message;
    if (typeof message === "string" && message.length > 0) return message;
  }
  return undefined;
}

function asLoginSuccess(body: unknown): LoginSuccess {
  const value = body as Partial<LoginSuccess> | null;
  if (typeof value?.token !== "string" || typeof value.username !== "string") {
    throw new SyntaxError("Cannot read login answer: missing token or username");
  }
  return { token: value.token, username: value.username, expiresAt: Number(value.expiresAt) };
}

function asPlayerHistory(body: unknown): PlayerHistory {
  const value = body as Partial<PlayerHistory> | null;
  if (
    typeof value?.username !== "string" || typeof value.nbWins !== "number" ||
    typeof value.roundsPlayed !== "number" || typeof value.bestScore !== "number"
  ) {
    throw new SyntaxError("Cannot read player: missing username, wins, rounds or best score");
  }
  const rounds = Array.isArray(value.lastRounds) ? value.lastRounds : [];
  return {
    username: value.username,
    nbWins: value.nbWins,
    roundsPlayed: value.roundsPlayed,
    bestScore: value.bestScore,
    lastRounds: rounds.filter((round: Partial<PlayerRound> | null) =>
      typeof round?.roundId === "number" && typeof round.score === "number" &&
      typeof round.rank === "number"
    ),
  };
}

function asArray<T>(body: unknown): T[] {
  if (!Array.isArray(body)) throw new SyntaxError("Cannot read answer: not a list");
  return body as T[];
}
