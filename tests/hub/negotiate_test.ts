import assert from "node:assert/strict";
import { AVAILABLE_TRANSPORTS, Negotiations } from "../../src/hub/negotiate.ts";

Deno.test("Negotiations.negotiate() answers version 1 with a token and every transport", () => {
  const negotiations = new Negotiations();
  const answer = negotiations.negotiate(7, 1, false);
  assert.equal(answer.negotiateVersion, 1);
  assert.match(answer.connectionId, /^[\w-]{22}$/);
  assert.match(answer.connectionToken!, /^[\w-]{22}$/);
  assert.notEqual(answer.connectionToken, answer.connectionId);
  assert.equal(answer.useStatefulReconnect, undefined);
  assert.deepEqual(answer.availableTransports, [
    { transport: "WebSockets", transferFormats: ["Text", "Binary"] },
    { transport: "ServerSentEvents", transferFormats: ["Text"] },
    { transport: "LongPolling", transferFormats: ["Text", "Binary"] },
  ]);
  assert.equal(answer.availableTransports, AVAILABLE_TRANSPORTS);
  assert.deepEqual(negotiations.get(answer.connectionToken!)?.playerId, 7);
  assert.equal(negotiations.get(answer.connectionId), undefined);
});

Deno.test("Negotiations.negotiate() answers version 0 with the id as the token", () => {
  const negotiations = new Negotiations();
  const answer = negotiations.negotiate(7, 0, true);
  assert.equal(answer.negotiateVersion, 0);
  assert.equal(answer.connectionToken, undefined);
  assert.equal(answer.useStatefulReconnect, true);
  assert.equal(negotiations.get(answer.connectionId)?.statefulReconnect, true);
});

Deno.test("Negotiations forgets tokens unused past their time, and a player's oldest past the cap", () => {
  let now = 0;
  const negotiations = new Negotiations({ now: () => now, ttlMs: 1000, maxPerPlayer: 2 });
  const [a, b, c] = [1, 2, 3].map(() => negotiations.negotiate(1, 1, false).connectionToken!);
  assert.equal(negotiations.get(a), undefined);
  assert.ok(negotiations.get(b) && negotiations.get(c));
  const other = negotiations.negotiate(2, 1, false).connectionToken!;
  now = 1000;
  assert.equal(negotiations.get(b), undefined);
  negotiations.negotiate(3, 1, false);
  assert.equal(negotiations.size, 1, "the expired ones are gone");
  assert.equal(negotiations.get(other), undefined);
  negotiations.delete(c);
});

Deno.test("Negotiations with an owner start every id and token with it", () => {
  const negotiations = new Negotiations({ owner: "web-8001" });
  const v1 = negotiations.negotiate(7, 1, false);
  assert.match(v1.connectionId, /^web-8001\.[\w-]{22}$/);
  assert.match(v1.connectionToken!, /^web-8001\.[\w-]{22}$/);
  assert.equal(negotiations.get(v1.connectionToken!)?.playerId, 7);
  const v0 = negotiations.negotiate(7, 0, false);
  assert.match(v0.connectionId, /^web-8001\.[\w-]{22}$/);
  assert.equal(negotiations.get(v0.connectionId)?.playerId, 7);
});
