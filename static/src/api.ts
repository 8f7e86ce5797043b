/**
 * Fetch wrappers for the server's HTTP routes: register, log in,
 * leaderboard, recent rounds, and a probe that tells whether the hub would
 * refuse a token. Refusals are values carrying the server's own message;
 * nothing here throws for a failed request.
 *
 * @module
 */

import type {
  LeaderboardEntry,
  LoginInput,
  LoginSuccess,
  RegisterInput,
  RoundSummary,
} from "../../src/hub/wire.ts";

/** The answer of a route: its value, or the server's message. */
export type ApiResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly status: number; readonly message: string };

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
  }, (body) => {
    const value = body as Partial<LoginSuccess> | null;
    if (typeof value?.token !== "string" || typeof value.username !== "string") {
      throw new SyntaxError("Cannot read login answer: missing token or username");
    }
    return { token: value.token, username: value.username, expiresAt: Number(value.expiresAt) };
  });
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

/** `GET /api/rounds?limit=N`: newest first. */
export function fetchRounds(
  limit: number,
  fetchFn: Fetch = fetch,
): Promise<ApiResult<RoundSummary[]>> {
  return request(fetchFn, `/api/rounds?limit=${limit}`, { method: "GET" }, asArray<RoundSummary>);
}

/** How the hub would treat a token: accept it, refuse it (401), or no answer at all. */
export type TokenVerdict = "accepted" | "refused" | "unreachable";

/**
 * Asks the hub's negotiate route about `token`. A browser can't see the
 * status of a refused WebSocket upgrade, so after a failed connect this is
 * how the page learns whether to reconnect or to ask for a new login.
 */
export async function probeToken(token: string, fetchFn: Fetch = fetch): Promise<TokenVerdict> {
  try {
    const response = await fetchFn("/game/negotiate?negotiateVersion=1", {
      method: "POST",
      headers: { Authorization: `Bearer ${token}` },
    });
    await response.body?.cancel();
    return response.status === 401 ? "refused" : response.status < 500 ? "accepted" : "unreachable";
  } catch {
    return "unreachable";
  }
}

async function request<T>(
  fetchFn: Fetch,
  path: string,
  init: { method: string; body?: unknown },
  read: (body: unknown) => T,
): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetchFn(path, {
      method: init.method,
      headers: init.body === undefined ? undefined : { "Content-Type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch {
    return { ok: false, status: 0, message: UNREACHABLE };
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    return { ok: false, status: response.status, message: failureMessage(response, body) };
  }
  try {
    return { ok: true, value: read(body) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, status: response.status, message };
  }
}

function failureMessage(response: Response, body: unknown): string {
  const message = messageOf(body) ?? `The server answered ${response.status}.`;
  const retryAfter = Number(response.headers.get("Retry-After"));
  if (response.status === 429 && retryAfter > 0 && !/\d/.test(message)) {
    return `${message} Try again in ${retryAfter} s.`;
  }
  return message;
}

function messageOf(body: unknown): string | undefined {
  if (typeof body === "object" && body !== null && "message" in body) {
    const message = (body as { message: unknown }).message;
    if (typeof message === "string" && message.length > 0) return message;
  }
  return undefined;
}

function asArray<T>(body: unknown): T[] {
  if (!Array.isArray(body)) throw new SyntaxError("Cannot read answer: not a list");
  return body as T[];
}
