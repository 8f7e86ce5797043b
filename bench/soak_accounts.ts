/**
 * The soak's players, made the way people make them: registered and logged
 * in over HTTP, one after another (the server lets one address hash two
 * passwords at a time), and each keeps a fresh token by renewing it well
 * before it expires, as the page does, so an hour's soak outlives the
 * 30-minute tokens.
 *
 * @module
 */

import { sleep } from "./timing.ts";

/** The password every soak player has. */
export const SOAK_PASSWORD = "soak horse battery staple";

/** A logged-in player whose token stays fresh while {@linkcode SoakAccount.keep} runs. */
export interface SoakAccount {
  readonly username: string;
  /** The current token. */
  token(): string;
  /** Renews the token until `signal` aborts; renewals that fail are counted. */
  keep(signal: AbortSignal): Promise<void>;
  /** Renewals that failed. */
  readonly failedRenewals: number;
}

async function post(
  url: URL,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  // A full hashing line answers 503 at once: wait as it asks, then try again.
  for (let tries = 1;; tries++) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    if (response.status !== 503 || tries >= 30) return response;
    await response.body?.cancel();
    await sleep(1000 * Number(response.headers.get("retry-after") ?? 1));
  }
}

async function expectOk(response: Response, what: string): Promise<Record<string, unknown>> {
  const text = await response.text();
  if (!response.ok) throw new Error(`Cannot ${what}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** Registers `username` at `base` and logs in. */
export async function createAccount(base: string, username: string): Promise<SoakAccount> {
  await expectOk(
    await post(new URL("api/account/register", base), {
      username,
      email: `${username}@soak.invalid`,
      password: SOAK_PASSWORD,
      passwordConfirm: SOAK_PASSWORD,
    }),
    `register ${username}`,
  );
  const login = await expectOk(
    await post(new URL("api/account/login", base), { username, password: SOAK_PASSWORD }),
    `log in ${username}`,
  );
  let token = String(login.token);
  let expiresAt = Number(login.expiresAt);
  let failedRenewals = 0;
  return {
    username,
    token: () => token,
    get failedRenewals() {
      return failedRenewals;
    },
    async keep(signal) {
      while (!signal.aborted) {
        // A third of the lifetime before it ends, or a minute after a failure.
        const wait = Math.max(60_000, (expiresAt - Date.now()) * 2 / 3);
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, wait);
          signal.addEventListener("abort", () => {
            clearTimeout(timer);
            resolve(undefined);
          }, { once: true });
        });
        if (signal.aborted) return;
        try {
          const renewed = await expectOk(
            await post(new URL("api/account/renew", base), {}, {
              authorization: `Bearer ${token}`,
            }),
            `renew ${username}'s token`,
          );
          token = String(renewed.token);
          expiresAt = Number(renewed.expiresAt);
        } catch {
          failedRenewals++;
        }
      }
    },
  };
}
