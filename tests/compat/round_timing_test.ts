/**
 * Rounds end on the server's clock: 20 rounds of 0.5 s, each `EndRound`
 * arriving close to its deadline, the deadlines exactly 500 ms apart.
 * Loose on purpose (CI machines are noisy); `deno task bench` holds the tight figure.
 */

import assert from "node:assert/strict";
import { startTestServer } from "../support/test_server.ts";
import { registerAndLogin } from "../support/accounts.ts";
import { connectClient } from "../support/hub_client.ts";

Deno.test("20 rounds of 0.5 s: EndRound within 50 ms of each deadline, deadlines 500 ms apart", async () => {
  const server = await startTestServer({ roundSeconds: 0.5 });
  try {
    const player = await registerAndLogin(server.url);
    const client = await connectClient(server.url, player.token);
    try {
      await client.nextEndRound();
      const start = client.ended.length;
      while (client.ended.length < start + 20) await client.nextEndRound();
      const rounds = client.ended.slice(start);
      const deadlines = rounds.map((e) => e.nextRoundEndsAt - 500);
      for (let i = 1; i < rounds.length; i++) {
        assert.equal(deadlines[i] - deadlines[i - 1], 500, `deadline step at round ${i}`);
        assert.equal(rounds[i].roundId, rounds[i - 1].roundId + 1);
      }
      const late = rounds.map((e, i) => e.receivedAt - deadlines[i]);
      assert.ok(late.every((ms) => ms >= 0 && ms <= 50), `lateness in ms: ${late.join(", ")}`);
    } finally {
      await client.stop();
    }
  } finally {
    await server.stop();
  }
});
