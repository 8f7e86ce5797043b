/**
 * The login and registration forms: tabs, submitting, and the server's
 * messages shown beside the form. A successful registration logs straight
 * in, so a new player is one form away from the game.
 *
 * @module
 */

import type { ApiResult } from "./api.ts";
import { type PageElements, setHidden, setText } from "./dom.ts";
import type { LoginSuccess, RegisterInput } from "../../src/hub/wire.ts";

/** What the forms need from the rest of the client. */
export interface AuthDeps {
  login(username: string, password: string): Promise<ApiResult<LoginSuccess>>;
  register(input: RegisterInput): Promise<ApiResult<string>>;
  /** Called once a login succeeded. */
  loggedIn(session: LoginSuccess): void;
}

type Tab = "login" | "register";

/** Binds the account forms of the page. */
export class AuthForms {
  readonly #els: PageElements;
  readonly #deps: AuthDeps;

  constructor(els: PageElements, deps: AuthDeps) {
    this.#els = els;
    this.#deps = deps;
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
  }

  /** Shows the login form, optionally with a message (an expired session, a logout). */
  showLogin(message?: string, kind: "error" | "info" = "error"): void {
    this.#select("login", false);
    this.#message(this.#els.registerMessage, undefined);
    this.#message(this.#els.loginMessage, message, kind);
    this.#els.loginPassword.value = "";
    const field = this.#els.loginUsername.value === ""
      ? this.#els.loginUsername
      : this.#els.loginPassword;
    field.focus();
  }

  #select(tab: Tab, focusField: boolean): void {
    const login = tab === "login";
    const { loginTab, registerTab, loginForm, registerForm } = this.#els;
    loginTab.setAttribute("aria-selected", String(login));
    registerTab.setAttribute("aria-selected", String(!login));
    loginTab.tabIndex = login ? 0 : -1;
    registerTab.tabIndex = login ? -1 : 0;
    setHidden(loginForm, !login);
    setHidden(registerForm, login);
    if (focusField) (login ? this.#els.loginUsername : this.#els.registerUsername).focus();
  }

  async #submitLogin(): Promise<void> {
    const els = this.#els;
    const username = els.loginUsername.value.trim();
    await this.#busy(els.loginSubmit, "Logging in…", async () => {
      const answer = await this.#deps.login(username, els.loginPassword.value);
      if (!answer.ok) {
        this.#message(els.loginMessage, answer.message);
        els.loginPassword.select();
        els.loginPassword.focus();
        return;
      }
      this.#message(els.loginMessage, undefined);
      els.loginPassword.value = "";
      this.#deps.loggedIn(answer.value);
    });
  }

  async #submitRegister(): Promise<void> {
    const els = this.#els;
    const input: RegisterInput = {
      username: els.registerUsername.value.trim(),
      email: els.registerEmail.value.trim(),
      password: els.registerPassword.value,
      passwordConfirm: els.registerConfirm.value,
    };
    await this.#busy(els.registerSubmit, "Creating your account…", async () => {
      const created = await this.#deps.register(input);
      if (!created.ok) {
        this.#message(els.registerMessage, created.message);
        return;
      }
      this.#message(els.registerMessage, created.value, "info");
      const answer = await this.#deps.login(input.username, input.password);
      els.registerPassword.value = els.registerConfirm.value = "";
      els.loginUsername.value = input.username;
      if (!answer.ok) {
        this.showLogin(`${created.value} ${answer.message}`, "info");
        return;
      }
      this.#deps.loggedIn(answer.value);
    });
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
    setHidden(element, text === undefined);
    setText(element, text ?? "");
    element.dataset.kind = kind;
  }
}
