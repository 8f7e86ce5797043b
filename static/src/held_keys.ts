/**
 * Keeps held keys where they were meant to go. A player mashing Space or
 * Enter on the click button must not type into, or submit, whatever the page
 * shows next (a login form after the session ended, a button that took the
 * focus): when the page changes under the keys, {@linkcode HeldKeys.hold}
 * makes every key then down act on nothing until it is released, and a key's
 * auto-repeat never presses Space or Enter on a form or button.
 *
 * @module
 */

/** The keys that press buttons and submit forms. */
const PRESSING = new Set([" ", "Enter"]);

/** Watches the keyboard from the capture phase, ahead of every other listener. */
export class HeldKeys {
  readonly #down = new Set<string>();
  readonly #stale = new Set<string>();

  /** Listens on `target` (the window) until the page goes away. */
  constructor(target: Pick<Window, "addEventListener">) {
    target.addEventListener("keydown", (event) => this.#keydown(event), { capture: true });
    target.addEventListener("keyup", (event) => this.#keyup(event), { capture: true });
    // Keys released while the page had no focus send no keyup.
    target.addEventListener("blur", () => this.#down.clear());
  }

  /** Keys down now act on nothing more until released. */
  hold(): void {
    for (const key of this.#down) this.#stale.add(key);
  }

  /** Whether any key is down. */
  get anyDown(): boolean {
    return this.#down.size > 0;
  }

  #keydown(event: KeyboardEvent): void {
    const key = keyOf(event);
    if (this.#stale.has(key)) {
      swallow(event);
      return;
    }
    this.#down.add(key);
    // Auto-repeat on a control: a held key, never a new press. The click
    // button's own handler already ignores it.
    if (event.repeat && PRESSING.has(event.key) && isControl(event.target)) swallow(event);
  }

  #keyup(event: KeyboardEvent): void {
    const key = keyOf(event);
    this.#down.delete(key);
    // Space presses a button when it is released: not one it was held over.
    if (this.#stale.delete(key)) swallow(event);
  }
}

function keyOf(event: KeyboardEvent): string {
  return event.code || event.key;
}

function isControl(target: EventTarget | null): boolean {
  const element = target as { closest?: (selector: string) => unknown } | null;
  return typeof element?.closest === "function" &&
    element.closest("input, textarea, select, button:not(#click-button), a[href], form") !== null;
}

function swallow(event: KeyboardEvent): void {
  event.preventDefault();
  event.stopImmediatePropagation();
}
