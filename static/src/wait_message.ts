/**
 * A form's refusal that ends at a known time, counted down where the player
 * sees it ("Too many failed logins. Try again in 14:58"), with the form's
 * submit button off until then. The message sits in a live region: it is
 * announced once, with the wait in words; the ticking clock is hidden from
 * screen readers, so they don't read out every second.
 *
 * @module
 */

import { make, setHidden, setText } from "./dom.ts";
import { clockText, spokenWait, waitPrefix } from "./wait_text.ts";

/** The clock and timer a countdown runs on; tests pass their own. */
export interface WaitClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): number;
  clearTimeout(id: number): void;
}

const REAL_CLOCK: WaitClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id),
};

/** One form's countdown message. */
export class WaitMessage {
  readonly #element: HTMLElement;
  readonly #button: HTMLButtonElement;
  readonly #clock: WaitClock;
  #timer: number | undefined;
  #until = 0;
  #face: HTMLElement | null = null;

  /** Shows waits in `element` (a live region), and turns `button` off while one runs. */
  constructor(element: HTMLElement, button: HTMLButtonElement, clock: WaitClock = REAL_CLOCK) {
    this.#element = element;
    this.#button = button;
    this.#clock = clock;
  }

  /** Whether a wait is being counted down. */
  get waiting(): boolean {
    return this.#timer !== undefined;
  }

  /** Shows `message` with a countdown of `waitMs`; when it ends, the message goes and the form works again. */
  show(message: string, waitMs: number): void {
    this.stop();
    this.#until = this.#clock.now() + waitMs;
    const face = make("span", clockText(waitMs), "wait-clock");
    face.setAttribute("aria-hidden", "true");
    this.#face = face;
    this.#element.replaceChildren(
      waitPrefix(message),
      face,
      make("span", spokenWait(waitMs), "sr-only"),
    );
    this.#element.dataset.kind = "error";
    setHidden(this.#element, false);
    this.#button.disabled = true;
    this.#tick();
  }

  /** Ends the wait early (another message takes the place), leaving the message to its successor. */
  stop(): void {
    if (this.#timer === undefined) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#face = null;
    this.#button.disabled = false;
  }

  #tick(): void {
    const left = this.#until - this.#clock.now();
    if (left <= 0) {
      this.stop();
      setText(this.#element, "");
      setHidden(this.#element, true);
      return;
    }
    if (this.#face !== null) setText(this.#face, clockText(left));
    // Wake as the shown second changes, not on a fixed beat that drifts.
    this.#timer = this.#clock.setTimeout(() => this.#tick(), left % 1000 || 1000);
  }
}
