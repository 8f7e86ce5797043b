/**
 * The page's elements, found once by id and typed, plus the few DOM helpers
 * the render functions share. Text always goes in through `textContent`.
 *
 * @module
 */

import type { RegistrationField } from "../../src/auth/validation.ts";

/** Every element the client reads or writes. */
export interface PageElements {
  readonly body: HTMLElement;
  readonly authScreen: HTMLElement;
  readonly gameScreen: HTMLElement;
  readonly topbarGame: HTMLElement;
  readonly loginTab: HTMLButtonElement;
  readonly registerTab: HTMLButtonElement;
  readonly loginPanel: HTMLElement;
  readonly registerPanel: HTMLElement;
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
  /** Each registration field's list of rules. */
  readonly registerRules: Readonly<Record<RegistrationField, HTMLElement>>;
  /** Each registration field's message. */
  readonly registerErrors: Readonly<Record<RegistrationField, HTMLElement>>;
  readonly connection: HTMLElement;
  readonly connectionText: HTMLElement;
  readonly retryText: HTMLElement;
  readonly retryButton: HTMLButtonElement;
  readonly onlineCount: HTMLElement;
  readonly userName: HTMLElement;
  readonly logoutButton: HTMLButtonElement;
  readonly roundTitle: HTMLElement;
  readonly roundNumber: HTMLElement;
  readonly countdown: HTMLElement;
  readonly timebar: HTMLElement;
  readonly timebarFill: HTMLElement;
  readonly result: HTMLElement;
  readonly resultLabel: HTMLElement;
  readonly resultHeadline: HTMLElement;
  readonly resultDetail: HTMLElement;
  readonly resultYou: HTMLElement;
  readonly podium: HTMLOListElement;
  /** A quiet live region: a round's result, a new place in the race. */
  readonly announcer: HTMLElement;
  readonly raceLine: HTMLElement;
  readonly race: HTMLElement;
  readonly raceCaption: HTMLElement;
  readonly raceSummary: HTMLElement;
  readonly raceList: HTMLOListElement;
  readonly myRecord: HTMLElement;
  readonly score: HTMLElement;
  readonly clickZone: HTMLElement;
  readonly clickButton: HTMLButtonElement;
  readonly clickGain: HTMLElement;
  readonly notice: HTMLElement;
  readonly sessionEnded: HTMLElement;
  readonly sessionEndedText: HTMLElement;
  readonly reloginButton: HTMLButtonElement;
  readonly elsewhere: HTMLElement;
  readonly elsewhereText: HTMLElement;
  readonly playHereButton: HTMLButtonElement;
  readonly multiplier: HTMLElement;
  readonly buyButton: HTMLButtonElement;
  readonly buyNext: HTMLElement;
  readonly buyCost: HTMLElement;
  readonly buyUnit: HTMLElement;
  readonly wins: HTMLElement;
  readonly leaderboard: HTMLOListElement;
  readonly leaderboardEmpty: HTMLElement;
  readonly rounds: HTMLOListElement;
  readonly roundsEmpty: HTMLElement;
  readonly roundsTitle: HTMLElement;
  readonly roundsOlder: HTMLButtonElement;
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
    loginPanel: any("login-panel"),
    registerPanel: any("register-panel"),
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
    registerRules: {
      username: any("register-username-rules"),
      email: any("register-email-rules"),
      password: any("register-password-rules"),
      passwordConfirm: any("register-confirm-rules"),
    },
    registerErrors: {
      username: any("register-username-error"),
      email: any("register-email-error"),
      password: any("register-password-error"),
      passwordConfirm: any("register-confirm-error"),
    },
    connection: any("connection"),
    connectionText: any("connection-text"),
    retryText: any("retry-text"),
    retryButton: button("retry-button"),
    onlineCount: any("online-count"),
    userName: any("user-name"),
    logoutButton: button("logout-button"),
    roundTitle: any("round-title"),
    roundNumber: any("round-number"),
    countdown: any("countdown"),
    timebar: any("timebar"),
    timebarFill: any("timebar-fill"),
    result: any("result"),
    resultLabel: any("result-label"),
    resultHeadline: any("result-headline"),
    resultDetail: any("result-detail"),
    resultYou: any("result-you"),
    podium: el("podium", HTMLOListElement),
    announcer: any("announcer"),
    raceLine: any("race-line"),
    race: any("race"),
    raceCaption: any("race-caption"),
    raceSummary: any("race-summary"),
    raceList: el("race-list", HTMLOListElement),
    myRecord: any("my-record"),
    score: any("score"),
    clickZone: any("click-zone"),
    clickButton: button("click-button"),
    clickGain: any("click-gain"),
    notice: any("notice"),
    sessionEnded: any("session-ended"),
    sessionEndedText: any("session-ended-text"),
    reloginButton: button("relogin-button"),
    elsewhere: any("elsewhere"),
    elsewhereText: any("elsewhere-text"),
    playHereButton: button("play-here-button"),
    multiplier: any("multiplier"),
    buyButton: button("buy-button"),
    buyNext: any("buy-next"),
    buyCost: any("buy-cost"),
    buyUnit: any("buy-unit"),
    wins: any("wins"),
    leaderboard: el("leaderboard", HTMLOListElement),
    leaderboardEmpty: any("leaderboard-empty"),
    rounds: el("rounds", HTMLOListElement),
    roundsEmpty: any("rounds-empty"),
    roundsTitle: any("rounds-title"),
    roundsOlder: button("rounds-older"),
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
