/**
 * The players-online notice: `PlayerCount` goes to everyone when the number
 * of players changed, at most once per interval, and never twice with the
 * same number.
 *
 * @module
 */

/** Options of {@linkcode PlayerCountNotice}. */
export interface PlayerCountNoticeOptions {
  /** Reads the clock. */
  readonly now: () => number;
  /** Shortest gap between two notices, in ms. */
  readonly intervalMs: number;
  /** The number of players online now. */
  readonly online: () => number;
  /** Tells everyone. */
  readonly send: (online: number) => void;
}

/** Sends `PlayerCount` when the count changed, throttled; owns its one timer. */
export class PlayerCountNotice {
  readonly #options: PlayerCountNoticeOptions;
  #sent = -1;
  #sentAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: PlayerCountNoticeOptions) {
    this.#options = options;
  }

  /** The count may have changed: send it now, or once the interval is over. */
  changed(): void {
    if (this.#timer !== undefined) return;
    const wait = this.#sentAt + this.#options.intervalMs - this.#options.now();
    if (wait > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#send();
      }, wait);
      return;
    }
    this.#send();
  }

  /** Cancels a notice waiting for its turn. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #send(): void {
    const online = this.#options.online();
    if (online === this.#sent) return;
    this.#sent = online;
    this.#sentAt = this.#options.now();
    this.#options.send(online);
  }
}
