/**
 * Checks of registration and login input (pure). Each check returns the
 * cleaned input, or a message for the player.
 *
 * @module
 */

/** A validation outcome: the value, or a message for the player. */
export type Checked<T> = { readonly ok: true; readonly value: T } | {
  readonly ok: false;
  readonly message: string;
};

/** Registration input after its checks. */
export interface Registration {
  readonly username: string;
  readonly email: string;
  readonly password: string;
}

/** Login input after its checks. */
export interface Login {
  readonly username: string;
  readonly password: string;
}

const USERNAME = /^[A-Za-z0-9_.-]{3,32}$/;
// Local part, "@", and a domain with at least one dot; no spaces or angle brackets.
const EMAIL =
  /^[^\s@<>()",;:\\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}

function fields<K extends string>(body: unknown, keys: readonly K[]): Checked<Record<K, string>> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return fail("Body must be a JSON object");
  }
  const record = body as Record<string, unknown>;
  const out = {} as Record<K, string>;
  for (const key of keys) {
    const value = record[key];
    if (value === undefined || value === null || value === "") return fail(`${key} is required`);
    if (typeof value !== "string") return fail(`${key} must be a string`);
    out[key] = value;
  }
  return { ok: true, value: out };
}

/** Checks a registration body: fields, username shape, email shape, password strength. */
export function checkRegistration(body: unknown): Checked<Registration> {
  const checked = fields(body, ["username", "email", "password", "passwordConfirm"] as const);
  if (!checked.ok) return checked;
  const { username, email, password, passwordConfirm } = checked.value;
  if (!USERNAME.test(username)) {
    return fail("username must be 3 to 32 letters, digits, '_', '-' or '.'");
  }
  const trimmedEmail = email.trim();
  if (trimmedEmail.length > 254 || !EMAIL.test(trimmedEmail)) {
    return fail("email must be a valid email address");
  }
  if (password.length < 8 || password.length > 128) {
    return fail("password must be 8 to 128 characters");
  }
  if (password !== passwordConfirm) return fail("passwords do not match");
  const weakness = weakPassword(password, username);
  if (weakness) return fail(weakness);
  return { ok: true, value: { username, email: trimmedEmail, password } };
}

// The passwords every guessing script tries first.
const COMMON = new Set([
  "password",
  "password1",
  "password123",
  "12345678",
  "123456789",
  "1234567890",
  "87654321",
  "11111111",
  "qwertyui",
  "qwertyuiop",
  "azertyuiop",
  "iloveyou",
  "letmein1",
  "sunshine",
  "football",
  "baseball",
  "welcome1",
  "abc12345",
  "abcdefgh",
  "clicker1",
  "clicker123",
]);

/** Why a password of the right length is still too easy to guess, or `undefined`. */
export function weakPassword(password: string, username: string): string | undefined {
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return "password is too common; choose another";
  if (new Set(lower).size < 4) return "password is too weak: use at least 4 different characters";
  if (lower.includes(username.toLowerCase())) return "password must not contain the username";
  return undefined;
}

/** Checks a login body: both fields present, strings, and of sane length. */
export function checkLogin(body: unknown): Checked<Login> {
  const checked = fields(body, ["username", "password"] as const);
  if (!checked.ok) return checked;
  const { username, password } = checked.value;
  if (username.length > 254 || password.length > 1024) return fail("username or password too long");
  return { ok: true, value: { username, password } };
}
