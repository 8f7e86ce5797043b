/**
 * Checks of registration and login input (pure, importing nothing: the page
 * imports the registration rules to check the form as the player types, in
 * the server's words). Each check returns the cleaned input, or a message
 * for the player. A username is taken in its NFKC form, and its length is
 * counted in grapheme clusters, as a person counts characters.
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

// A username after NFKC: letters and digits of any script, each with at most
// four combining marks (Devanagari's vowel signs and virama, Vietnamese's
// stacked accents), plus `_`, `-` and `.`. The cap on marks keeps a name from
// piling hundreds of marks onto one character that a person counts once.
const USERNAME = /^(?:[\p{L}\p{N}]\p{M}{0,4}|[_.-])+$/u;

/** The fewest and most characters of a username, as a person counts them. */
export const USERNAME_LENGTH = Object.freeze({ min: 3, max: 32 });

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * How many characters a person counts in `text`: its grapheme clusters, so
 * `é` written as `e` and a combining accent, or a family emoji of seven code
 * points, counts once.
 */
export function countGraphemes(text: string): number {
  let count = 0;
  for (const _ of graphemes.segment(text)) count++;
  return count;
}

/** A username as stored and compared: its Unicode NFKC form. */
export function normalizeUsername(username: string): string {
  return username.normalize("NFKC");
}

/**
 * Whether `username` is a valid one once normalized: 3 to 32 characters (as
 * a person counts them) of letters and digits of any script, `_`, `-`, `.`.
 */
export function isValidUsername(username: string): boolean {
  const name = normalizeUsername(username);
  if (!USERNAME.test(name)) return false;
  const length = countGraphemes(name);
  return length >= USERNAME_LENGTH.min && length <= USERNAME_LENGTH.max;
}
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

/** The four fields of the registration form, in the order the form shows them. */
export type RegistrationField = "username" | "email" | "password" | "passwordConfirm";

/** The registration form's four fields as typed. */
export type RegistrationInput = Readonly<Record<RegistrationField, string>>;

/** One rule a registration field must follow. */
export interface RegistrationRule {
  readonly field: RegistrationField;
  /** The rule stated for the player before they type, e.g. "8 to 128 characters". */
  readonly rule: string;
  /** The refusal when it is broken: the server's answer, and the page's message. */
  readonly message: string;
  /** Whether `input` follows the rule. */
  test(input: RegistrationInput): boolean;
}

/**
 * Every rule of registration, in the form's field order, then in the order
 * they are checked within a field. The server answers with the first broken
 * one; the page shows them all as the player types. Pure, so the page
 * imports this very list rather than a copy.
 */
export const REGISTRATION_RULES: readonly RegistrationRule[] = Object.freeze([
  {
    field: "username",
    rule: "3 to 32 letters or digits of any script, _ - or .",
    message: "username must be 3 to 32 letters or digits of any script, '_', '-' or '.'",
    test: ({ username }) => isValidUsername(username),
  },
  {
    field: "email",
    rule: "A valid email address",
    message: "email must be a valid email address",
    test: ({ email }) => {
      const trimmed = email.trim();
      return trimmed.length <= 254 && EMAIL.test(trimmed);
    },
  },
  {
    field: "password",
    rule: "8 to 128 characters",
    message: "password must be 8 to 128 characters",
    test: ({ password }) => password.length >= 8 && password.length <= 128,
  },
  {
    field: "password",
    rule: "Not one of the commonest passwords",
    message: "password is too common; choose another",
    test: ({ password }) => !COMMON.has(password.toLowerCase()),
  },
  {
    field: "password",
    rule: "At least 4 different characters",
    message: "password is too weak: use at least 4 different characters",
    test: ({ password }) => new Set(password.toLowerCase()).size >= 4,
  },
  {
    field: "password",
    rule: "Doesn't contain the username",
    message: "password must not contain the username",
    test: ({ password, username }) =>
      username === "" ||
      !password.normalize("NFKC").toLowerCase().includes(
        normalizeUsername(username).toLowerCase(),
      ),
  },
  {
    field: "passwordConfirm",
    rule: "The same password again",
    message: "passwords do not match",
    test: ({ password, passwordConfirm }) => password === passwordConfirm,
  },
]);

/** The rules `input` breaks, in field order (none: it would be accepted). */
export function brokenRules(input: RegistrationInput): RegistrationRule[] {
  return REGISTRATION_RULES.filter((rule) => !rule.test(input));
}

/**
 * Checks a registration body: every field present, then the first of
 * {@linkcode REGISTRATION_RULES} it breaks, in field order.
 */
export function checkRegistration(body: unknown): Checked<Registration> {
  const checked = fields(body, ["username", "email", "password", "passwordConfirm"] as const);
  if (!checked.ok) return checked;
  const [broken] = brokenRules(checked.value);
  if (broken !== undefined) return fail(broken.message);
  const { username, email, password } = checked.value;
  return {
    ok: true,
    value: { username: normalizeUsername(username), email: email.trim(), password },
  };
}

/** Checks a login body: both fields present, strings, and of sane length. */
export function checkLogin(body: unknown): Checked<Login> {
  const checked = fields(body, ["username", "password"] as const);
  if (!checked.ok) return checked;
  const { username, password } = checked.value;
  if (username.length > 254 || password.length > 1024) return fail("username or password too long");
  // Stored names are NFKC, so a name typed in another form (é as e and an accent) finds its player.
  return { ok: true, value: { username: normalizeUsername(username), password } };
}
