/**
 * Registers and logs in players over HTTP, for tests.
 *
 * @module
 */

/** A registered, logged-in player. */
export interface TestPlayer {
  readonly username: string;
  readonly password: string;
  readonly token: string;
}

/** A fresh username no other test uses. */
export function uniqueName(prefix = "p"): string {
  return `${prefix}${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
}

/** POSTs JSON and returns the status and parsed body. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {}, headers: response.headers };
}

/**
 * POSTs JSON like {@linkcode postJson}, again while the server answers 503:
 * tests sharing one address may find its share of the password-hash line full.
 */
async function postServed(
  url: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  for (let tries = 1;; tries++) {
    const answer = await postJson(url, body);
    if (answer.status !== 503 || tries >= 100) return answer;
    // No event announces a free place; a short pause is what a polite client does.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Registers a player (default: a unique name) and logs them in. */
export async function registerAndLogin(
  baseUrl: string,
  username: string = uniqueName(),
): Promise<TestPlayer> {
  const password = "correct horse battery";
  const registered = await postServed(new URL("api/account/register", baseUrl).href, {
    username,
    email: `${username}@example.com`,
    password,
    passwordConfirm: password,
  });
  if (registered.status !== 200) {
    throw new Error(
      `register ${username}: ${registered.status} ${JSON.stringify(registered.body)}`,
    );
  }
  const login = await postServed(new URL("api/account/login", baseUrl).href, {
    username,
    password,
  });
  if (login.status !== 200) {
    throw new Error(`login ${username}: ${login.status} ${JSON.stringify(login.body)}`);
  }
  return { username, password, token: String(login.body.token) };
}
