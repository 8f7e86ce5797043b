/**
 * The login and registration forms: tabs, submitting, and the server's
 * messages shown beside the form. The registration form states every rule
 * of every field up front and checks them all as the player types, in field
 * order and in the server's words; a field found wrong is marked
 * (`aria-invalid`, its message named by `aria-describedby`). A successful
 * registration logs straight in, so a new player is one form away from the
 * game.
 *
 * @module
 */

import type { ApiFailure, ApiResult } from "./api.ts";
import { make, type PageElements, setHidden, setText } from "./dom.ts";
import {
  checkFields,
  fieldOfMessage,
  firstInvalid,
  REGISTRATION_FIELDS,
  rulesOf,
} from "./registration_checks.ts";
import type { RegistrationField } from "../../src/auth/validation.ts";
import type { LoginSuccess, RegisterInput } from "../../src/hub/wire.ts";
import { type WaitClock, WaitMessage } from "./wait_message.ts";

/** What the forms need from the rest of the client. */
export interface AuthDeps {
  login(username: string, password: string): Promise<ApiResult<LoginSuccess>>;
  register(input: RegisterInput): Promise<ApiResult<string>>;
  /** Called once a login succeeded. */
  loggedIn(session: LoginSuccess): void;
  /** The clock of the countdowns of refusals that end (default: the real one). */
  readonly clock?: WaitClock;
}

type Tab = "login" | "register";

/** Binds the account forms of the page. */
export class AuthForms {
  readonly #els: PageElements;
  readonly #deps: AuthDeps;
  readonly #inputs: Readonly<Record<RegistrationField, HTMLInputElement>>;
  /** Fields whose mistakes are shown: left once, or submitted. */
  readonly #touched = new Set<RegistrationField>();
  /** A refusal of the server about one field, until that field changes. */
  #serverRefusal: { field: RegistrationField; message: string } | null = null;
  /** The countdowns of refusals that end ("Too many failed logins. Try again in 14:58"). */
  readonly #loginWait: WaitMessage;
  readonly #registerWait: WaitMessage;

  constructor(els: PageElements, deps: AuthDeps) {
    this.#els = els;
    this.#deps = deps;
    this.#loginWait = new WaitMessage(els.loginMessage, els.loginSubmit, deps.clock);
    this.#registerWait = new WaitMessage(els.registerMessage, els.registerSubmit, deps.clock);
    this.#inputs = {
      username: els.registerUsername,
      email: els.registerEmail,
      password: els.registerPassword,
      passwordConfirm: els.registerConfirm,
    };
    els.loginTab.addEventListener("click", () => this.#select("login", true));
    els.registerTab.addEventListener("click", () => this.#select("register", true));
    for (const tab of [els.loginTab, els.registerTab]) {
      tab.addEventListener("keydown", (event) => {
        if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
          event.preventDefault();
          const next = tab === els.loginTab ? "register" : "login";
          this.#select(next, false);
          (next === "login" ? els.loginTab : els.registerTab).focus();
        }
      });
    }
    els.loginForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.#submitLogin();
    });
    els.registerForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.#submitRegister();
    });
    for (const field of REGISTRATION_FIELDS) {
      els.registerRules[field].replaceChildren(
        ...rulesOf(field).map((rule) => {
          const item = make("li", "", "rule");
          item.dataset.state = "pending";
          item.append(make("span", rule), make("span", "", "sr-only rule-state"));
          return item;
        }),
      );
      const input = this.#inputs[field];
      input.addEventListener("input", () => {
        if (this.#serverRefusal?.field === field) this.#serverRefusal = null;
        this.#showChecks();
      });
      input.addEventListener("blur", () => {
        if (input.value !== "") this.#touched.add(field);
        this.#showChecks();
      });
    }
    this.#showChecks();
  }

  /**
   * Shows the login form, optionally with a message (an expired session, a
   * logout). `focus` puts the caret in the first empty field; leave it off
   * when the player did not ask for the form, so keys meant for something
   * else never type into it.
   */
  showLogin(message?: string, kind: "error" | "info" = "error", focus = true): void {
    this.#select("login", false);
    this.#message(this.#els.registerMessage, undefined);
    // A countdown still running stays, unless a message of its own takes its place.
    if (message !== undefined || !this.#loginWait.waiting) {
      this.#message(this.#els.loginMessage, message, kind);
    }
    this.#els.loginPassword.value = "";
    if (!focus) return;
    const field = this.#els.loginUsername.value === ""
      ? this.#els.loginUsername
      : this.#els.loginPassword;
    field.focus();
  }

  /** Fills the login form's username, e.g. with the player whose session ended. */
  prefillUsername(username: string): void {
    this.#els.loginUsername.value = username;
  }

  #select(tab: Tab, focusField: boolean): void {
    const login = tab === "login";
    const { loginTab, registerTab, loginPanel, registerPanel } = this.#els;
    loginTab.setAttribute("aria-selected", String(login));
    registerTab.setAttribute("aria-selected", String(!login));
    loginTab.tabIndex = login ? 0 : -1;
    registerTab.tabIndex = login ? -1 : 0;
    setHidden(loginPanel, !login);
    setHidden(registerPanel, login);
    if (focusField) (login ? this.#els.loginUsername : this.#els.registerUsername).focus();
  }

  /**
   * Marks each rule met or not (a ✗ on a touched field's broken rules), and
   * says under a field what no rule says: the server's refusal ("That
   * username is already taken"). Each mistake is said once, on its own line.
   */
  #showChecks(): void {
    const checks = checkFields(this.#input());
    for (const field of REGISTRATION_FIELDS) {
      const input = this.#inputs[field];
      const touched = this.#touched.has(field);
      const check = checks[field];
      const items = this.#els.registerRules[field].children;
      check.rules.forEach((rule, i) => {
        const item = items[i] as HTMLElement | undefined;
        if (item === undefined) return;
        const state = rule.ok ? "met" : touched ? "broken" : "pending";
        if (item.dataset.state !== state) item.dataset.state = state;
        setText(item.lastElementChild as HTMLElement, rule.ok ? " (met)" : " (not met)");
      });
      const refusal = this.#serverRefusal?.field === field ? this.#serverRefusal.message : null;
      // A refusal in the words of a rule shown broken is already said by its ✗ line.
      const said = refusal !== null && touched && check.brokenMessages.includes(refusal);
      setText(this.#els.registerErrors[field], said ? "" : refusal ?? "");
      if ((touched && check.message !== null) || refusal !== null) {
        input.setAttribute("aria-invalid", "true");
      } else input.removeAttribute("aria-invalid");
    }
  }

  #input(): RegisterInput {
    const els = this.#els;
    return {
      username: els.registerUsername.value.trim(),
      email: els.registerEmail.value.trim(),
      password: els.registerPassword.value,
      passwordConfirm: els.registerConfirm.value,
    };
  }

  async #submitLogin(): Promise<void> {
    const els = this.#els;
    const username = els.loginUsername.value.trim();
    if (this.#loginWait.waiting) return;
    let refused = null as ApiFailure | null;
    await this.#busy(els.loginSubmit, "Logging in…", async () => {
      const answer = await this.#deps.login(username, els.loginPassword.value);
      if (!answer.ok) {
        refused = answer;
        return;
      }
      this.#message(els.loginMessage, undefined);
      els.loginPassword.value = "";
      this.#deps.loggedIn(answer.value);
    });
    if (refused === null) return;
    this.#refuse(this.#loginWait, els.loginMessage, refused);
    els.loginPassword.select();
    els.loginPassword.focus();
  }

  /** Shows a refusal: with a countdown when it ends at a known time (after the button is back). */
  #refuse(wait: WaitMessage, element: HTMLElement, refused: ApiFailure): void {
    if (refused.retryAfterMs !== undefined) wait.show(refused.message, refused.retryAfterMs);
    else this.#message(element, refused.message);
  }

  async #submitRegister(): Promise<void> {
    if (this.#registerWait.waiting) return;
    const els = this.#els;
    const input = this.#input();
    for (const field of REGISTRATION_FIELDS) this.#touched.add(field);
    this.#serverRefusal = null;
    this.#showChecks();
    const invalid = firstInvalid(checkFields(input));
    if (invalid !== null) {
      this.#message(els.registerMessage, undefined);
      this.#inputs[invalid].focus();
      return;
    }
    let refused = null as ApiFailure | null;
    await this.#busy(els.registerSubmit, "Creating your account…", async () => {
      const created = await this.#deps.register(input);
      if (!created.ok) {
        const field = fieldOfMessage(created.message);
        if (field === null) {
          refused = created;
          return;
        }
        // Said under its field only, where the focus goes.
        this.#message(els.registerMessage, undefined);
        this.#serverRefusal = { field, message: created.message };
        this.#showChecks();
        this.#inputs[field].focus();
        return;
      }
      this.#message(els.registerMessage, created.value, "info");
      const answer = await this.#deps.login(input.username, input.password);
      els.registerPassword.value = els.registerConfirm.value = "";
      this.#touched.clear();
      this.#showChecks();
      els.loginUsername.value = input.username;
      if (!answer.ok) {
        this.showLogin(`${created.value} ${answer.message}`, "info");
        return;
      }
      this.#deps.loggedIn(answer.value);
    });
    if (refused !== null) this.#refuse(this.#registerWait, els.registerMessage, refused);
  }

  async #busy(button: HTMLButtonElement, label: string, work: () => Promise<void>): Promise<void> {
    if (button.disabled) return;
    const idle = button.textContent ?? "";
    button.disabled = true;
    button.textContent = label;
    try {
      await work();
    } finally {
      button.disabled = false;
      button.textContent = idle;
    }
  }

  #message(element: HTMLElement, text: string | undefined, kind: "error" | "info" = "error"): void {
    (element === this.#els.loginMessage ? this.#loginWait : this.#registerWait).stop();
    setHidden(element, text === undefined);
    setText(element, text ?? "");
    element.dataset.kind = kind;
  }
}
