/**
 * One message on its way to many connections: its bytes in one protocol,
 * and what each transport makes of them (a WebSocket frame, an event), made
 * once for every connection rather than once per connection.
 *
 * @module
 */

import type { Frame } from "./protocol.ts";

/** A message shared by the recipients of a broadcast, and the forms transports made of it. */
export class SharedFrame {
  /** The message, encoded in the recipients' protocol. */
  readonly data: Frame;
  readonly #made = new Map<(data: Frame) => unknown, unknown>();

  constructor(data: Frame) {
    this.data = data;
  }

  /**
   * What `make` makes of the message: made at the first call with this
   * `make`, then the same value for every later one.
   */
  as<T>(make: (data: Frame) => T): T {
    if (this.#made.has(make)) return this.#made.get(make) as T;
    const made = make(this.data);
    this.#made.set(make, made);
    return made;
  }
}
