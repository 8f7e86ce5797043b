/**
 * A socket that records what the hub sends, for hub tests without a network.
 *
 * @module
 */

import type { Socket } from "../../src/hub/connections.ts";
import { splitRecords } from "../../src/hub/wire.ts";

/**
 * Records sent text (and, apart, sent bytes) and the close; `bufferedAmount`
 * and `textOnly` can be set by the test.
 */
export class FakeSocket implements Socket {
  readonly sent: string[] = [];
  readonly sentBytes: Uint8Array[] = [];
  closed: { code?: number; reason?: string } | undefined;
  bufferedAmount = 0;
  textOnly = false;

  send(data: string | Uint8Array): void {
    if (this.closed) throw new Error("socket closed");
    if (typeof data === "string") this.sent.push(data);
    else this.sentBytes.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closed ??= { code, reason };
  }

  /** Every record sent so far, parsed, after `skip` of them. */
  records(skip = 0): Record<string, unknown>[] {
    return splitRecords("", this.sent.join("")).records.slice(skip).map((r) => JSON.parse(r));
  }
}
