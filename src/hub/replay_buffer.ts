/**
 * Stateful reconnect's bookkeeping for one connection, both ways, as the hub
 * protocol's `Ack` and `Sequence` messages define it. Invocations and
 * completions ("trackable" messages) are numbered from 1 in each direction:
 *
 * - Outgoing, each is kept, encoded, until the client acknowledges it, so a
 *   connection whose socket was lost can replay what the client may have
 *   missed once it comes back. What is kept is bounded in bytes.
 * - Incoming, the highest number processed is remembered, so messages the
 *   client sends again after a resume are skipped: a click is never counted
 *   twice.
 *
 * Pure bookkeeping: no sockets, timers or clock.
 *
 * @module
 */

import { type ClientMessage, type Frame, ProtocolError } from "./protocol.ts";
import { MessageType } from "./wire.ts";

/** Whether a message of this type is numbered (invocations and completions are). */
export function isTrackable(type: number): boolean {
  return type >= MessageType.Invocation && type <= MessageType.CancelInvocation;
}

/** What a resumed connection sends first: a `Sequence`, then the messages to replay. */
export interface Resumption {
  /** The number of the first message replayed, or of the next one sent when none is. */
  readonly sequenceId: number;
  readonly frames: readonly Frame[];
}

/** The messages a connection sent and received, as stateful reconnect needs them. */
export class ReplayBuffer {
  readonly #maxBytes: number;
  /** Unacknowledged messages, oldest first, from index #head on. */
  #frames: Frame[] = [];
  #head = 0;
  /** The number of `#frames[#head]`. */
  #firstId = 1;
  /** Trackable messages sent so far: the number of the last one. */
  #sent = 0;
  #bytes = 0;
  #nextReceiving = 1;
  #latestReceived = 0;
  #lastAcked = 0;
  #awaitingSequence = false;

  /** Keeps at most `maxBytes` of unacknowledged messages. */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Bytes of messages sent and not yet acknowledged. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Numbers and keeps a trackable message being sent; `false` when the
   * messages not yet acknowledged now hold more than the bound.
   */
  add(frame: Frame): boolean {
    this.#sent++;
    this.#frames.push(frame);
    this.#bytes += sizeOf(frame);
    return this.#bytes <= this.#maxBytes;
  }

  /** The client has every message up to `sequenceId`: they are forgotten. */
  ack(sequenceId: number): void {
    while (this.#head < this.#frames.length && this.#firstId <= sequenceId) {
      this.#bytes -= sizeOf(this.#frames[this.#head]);
      this.#frames[this.#head++] = "";
      this.#firstId++;
    }
    // Compacted now and then rather than shifted message by message.
    if (this.#head > 64 && this.#head * 2 > this.#frames.length) {
      this.#frames = this.#frames.slice(this.#head);
      this.#head = 0;
    }
  }

  /**
   * Whether the hub should act on an incoming message. After a resume,
   * nothing counts until the client's `Sequence`; a trackable message whose
   * number was already processed is a repeat, and is skipped.
   */
  accept(message: ClientMessage): boolean {
    if (this.#awaitingSequence) {
      if (message.type !== MessageType.Sequence) return false;
      this.#awaitingSequence = false;
      return true;
    }
    if (!isTrackable(message.type)) return true;
    const id = this.#nextReceiving++;
    if (id <= this.#latestReceived) return false;
    this.#latestReceived = id;
    return true;
  }

  /** The client's `Sequence`: its next message is number `sequenceId`. */
  restart(sequenceId: number): void {
    if (sequenceId > this.#nextReceiving) {
      throw new ProtocolError("Sequence ID greater than the number of messages received");
    }
    this.#nextReceiving = sequenceId;
  }

  /** The messages sent and not yet acknowledged, oldest first. */
  unacknowledged(): readonly Frame[] {
    return this.#frames.slice(this.#head);
  }

  /**
   * The connection has a new socket: what to send on it first. Until the
   * client's own `Sequence` arrives, its messages are ignored.
   */
  resume(): Resumption {
    this.#awaitingSequence = true;
    const frames = this.unacknowledged();
    return { sequenceId: frames.length > 0 ? this.#firstId : this.#sent + 1, frames };
  }

  /** The number to acknowledge, when messages arrived since the last `Ack`. */
  ackDue(): number | undefined {
    if (this.#latestReceived <= this.#lastAcked) return undefined;
    this.#lastAcked = this.#latestReceived;
    return this.#lastAcked;
  }
}

function sizeOf(frame: Frame): number {
  return typeof frame === "string" ? frame.length : frame.byteLength;
}
