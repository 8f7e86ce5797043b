/**
 * The page's elements, found once by id and typed, plus the few DOM helpers
 * the render functions share. Text always goes in through `textContent`.
 *
 * @module
 */

/** Every element the client reads or writes. */
export interface PageElements {
  readonly body: HTMLElement;
  readonly authScreen: HTMLElement;
  readonly gameScreen: HTMLElement;
  readonly topbarGame: HTMLElement;
  readonly loginTab: HTMLButtonElement;
  readonly registerTab: HTMLButtonElement;
  readonly loginForm: HTMLFormElement;
  readonly loginMessage: HTMLElement;
  readonly loginUsername: HTMLInputElement;
  readonly loginPassword: HTMLInputElement;
  readonly loginSubmit: HTMLButtonElement;
  readonly registerForm: HTMLFormElement;
  readonly registerMessage: HTMLElement;
  readonly registerUsername: HTMLInputElement;
  readonly registerEmail: HTMLInputElement;
  readonly registerPassword: HTMLInputElement;
  readonly registerConfirm: HTMLInputElement;
  readonly registerSubmit: HTMLButtonElement;
  readonly connection: HTMLElement;
  readonly connectionText: HTMLElement;
  readonly retryText: HTMLElement;
  readonly retryButton: HTMLButtonElement;
  readonly onlineCount: HTMLElement;
  readonly userName: HTMLElement;
  readonly logoutButton: HTMLButtonElement;
  readonly roundNumber: HTMLElement;
  readonly countdown: HTMLElement;
  readonly timebar: HTMLElement;
  readonly timebarFill: HTMLElement;
  readonly result: HTMLElement;
  readonly resultLabel: HTMLElement;
  readonly resultHeadline: HTMLElement;
  readonly resultDetail: HTMLElement;
  readonly score: HTMLElement;
  readonly clickZone: HTMLElement;
  readonly clickButton: HTMLButtonElement;
  readonly clickGain: HTMLElement;
  readonly notice: HTMLElement;
  readonly multiplier: HTMLElement;
  readonly buyButton: HTMLButtonElement;
  readonly buyNext: HTMLElement;
  readonly buyCost: HTMLElement;
  readonly wins: HTMLElement;
  readonly leaderboard: HTMLOListElement;
  readonly leaderboardEmpty: HTMLElement;
  readonly rounds: HTMLOListElement;
  readonly roundsEmpty: HTMLElement;
}

/** Finds every element of {@linkcode PageElements}; throws when the page lacks one. */
export function findElements(doc: Document): PageElements {
  const el = <T extends HTMLElement>(id: string, type: { new (): T; prototype: T }): T => {
    const found = doc.getElementById(id);
    if (!(found instanceof type)) {
      throw new TypeError(`Cannot start the client: #${id} is missing from the page`);
    }
    return found;
  };
  const any = (id: string) => el(id, HTMLElement);
  const button = (id: string) => el(id, HTMLButtonElement);
  const input = (id: string) => el(id, HTMLInputElement);
  return {
    body: doc.body,
    authScreen: any("auth-screen"),
    gameScreen: any("game-screen"),
    topbarGame: any("topbar-game"),
    loginTab: button("login-tab"),
    registerTab: button("register-tab"),
    loginForm: el("login-form", HTMLFormElement),
    loginMessage: any("login-message"),
    loginUsername: input("login-username"),
    loginPassword: input("login-password"),
    loginSubmit: button("login-submit"),
    registerForm: el("register-form", HTMLFormElement),
    registerMessage: any("register-message"),
    registerUsername: input("register-username"),
    registerEmail: input("register-email"),
    registerPassword: input("register-password"),
    registerConfirm: input("register-confirm"),
    registerSubmit: button("register-submit"),
    connection: any("connection"),
    connectionText: any("connection-text"),
    retryText: any("retry-text"),
    retryButton: button("retry-button"),
    onlineCount: any("online-count"),
    userName: any("user-name"),
    logoutButton: button("logout-button"),
    roundNumber: any("round-number"),
    countdown: any("countdown"),
    timebar: any("timebar"),
    timebarFill: any("timebar-fill"),
    result: any("result"),
    resultLabel: any("result-label"),
    resultHeadline: any("result-headline"),
    resultDetail: any("result-detail"),
    score: any("score"),
    clickZone: any("click-zone"),
    clickButton: button("click-button"),
    clickGain: any("click-gain"),
    notice: any("notice"),
    multiplier: any("multiplier"),
    buyButton: button("buy-button"),
    buyNext: any("buy-next"),
    buyCost: any("buy-cost"),
    wins: any("wins"),
    leaderboard: el("leaderboard", HTMLOListElement),
    leaderboardEmpty: any("leaderboard-empty"),
    rounds: el("rounds", HTMLOListElement),
    roundsEmpty: any("rounds-empty"),
  };
}

/** Sets an element's text, touching the DOM only when it changes. */
export function setText(element: HTMLElement, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

/** Sets an attribute, touching the DOM only when it changes. */
export function setAttr(element: HTMLElement, name: string, value: string): void {
  if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}

/** Shows or hides an element. */
export function setHidden(element: HTMLElement, hidden: boolean): void {
  if (element.hidden !== hidden) element.hidden = hidden;
}

/** Creates an element with text content and optional classes. */
export function make<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text = "",
  className = "",
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (text !== "") element.textContent = text;
  if (className !== "") element.className = className;
  return element;
}
