/**
 * What a socket sends in one turn of the event loop leaves in few writes:
 * the stream is corked at the turn's first write and uncorked in a microtask,
 * so a batch of invocations read at once is answered with one system call,
 * not one per completion (the writes were a third of the server's time). A
 * long batch is let out every {@linkcode FLUSH_EVERY} writes, so the client
 * reads its first answers while the rest are still being worked out.
 *
 * @module
 */

/**
 * Writes held back in one turn before they are let out. A client that keeps
 * many invocations in flight (64 in the bench's flood) otherwise gets all its
 * answers only once the server has handled the whole batch, and both ends
 * wait on each other in turn; a write every 16 answers lets them overlap, for
 * one more system call per 16 answers.
 */
export const FLUSH_EVERY = 16;

/** The part of a writable stream (a `node:net` socket) that batches writes. */
export interface CorkableStream<T> {
  cork(): void;
  uncork(): void;
  write(chunk: T): unknown;
}

/**
 * A write function for `stream` that batches each turn's writes as the
 * module doc says; `flushEvery` defaults to {@linkcode FLUSH_EVERY}.
 */
export function turnWriter<T>(
  stream: CorkableStream<T>,
  options: { flushEvery?: number } = {},
): (chunk: T) => void {
  const { flushEvery = FLUSH_EVERY } = options;
  let corked = false;
  let held = 0;
  const uncork = () => {
    corked = false;
    held = 0;
    stream.uncork();
  };
  return (chunk) => {
    if (!corked) {
      corked = true;
      stream.cork();
      queueMicrotask(uncork);
    }
    stream.write(chunk);
    if (++held === flushEvery) {
      // Out with what this turn wrote so far; the rest of the turn stays corked.
      held = 0;
      stream.uncork();
      stream.cork();
    }
  };
}
