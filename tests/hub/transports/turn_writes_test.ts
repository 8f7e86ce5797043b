import assert from "node:assert/strict";
import { FLUSH_EVERY, turnWriter } from "../../../src/hub/transports/turn_writes.ts";

/** A stream that corks as `node:net` does (nested corks) and records each batch let out. */
class RecordingStream {
  readonly batches: number[][] = [];
  #corks = 0;
  #held: number[] = [];
  cork(): void {
    this.#corks++;
  }
  uncork(): void {
    if (this.#corks > 0 && --this.#corks === 0) this.#flush();
  }
  write(chunk: number): void {
    this.#held.push(chunk);
    if (this.#corks === 0) this.#flush();
  }
  #flush(): void {
    if (this.#held.length > 0) this.batches.push(this.#held);
    this.#held = [];
  }
}

const turnEnds = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

Deno.test("turnWriter() lets one turn's writes out together once the turn ends", async () => {
  const stream = new RecordingStream();
  const write = turnWriter(stream);
  write(1);
  write(2);
  write(3);
  assert.deepEqual(stream.batches, []);
  await turnEnds();
  assert.deepEqual(stream.batches, [[1, 2, 3]]);
  write(4);
  await turnEnds();
  assert.deepEqual(stream.batches, [[1, 2, 3], [4]]);
});

Deno.test("turnWriter() lets a long turn's writes out every FLUSH_EVERY, in order", async () => {
  const stream = new RecordingStream();
  const write = turnWriter(stream);
  const count = 2 * FLUSH_EVERY + 3;
  for (let i = 0; i < count; i++) write(i);
  assert.deepEqual(stream.batches.map((batch) => batch.length), [FLUSH_EVERY, FLUSH_EVERY]);
  await turnEnds();
  assert.deepEqual(stream.batches.map((batch) => batch.length), [FLUSH_EVERY, FLUSH_EVERY, 3]);
  assert.deepEqual(stream.batches.flat(), Array.from({ length: count }, (_, i) => i));
});

Deno.test("turnWriter() counts each turn afresh", async () => {
  const stream = new RecordingStream();
  const write = turnWriter(stream, { flushEvery: 3 });
  write(1);
  write(2);
  await turnEnds();
  write(3);
  write(4);
  assert.deepEqual(stream.batches, [[1, 2]]);
  write(5);
  assert.deepEqual(stream.batches, [[1, 2], [3, 4, 5]]);
  await turnEnds();
  assert.deepEqual(stream.batches, [[1, 2], [3, 4, 5]]);
});
