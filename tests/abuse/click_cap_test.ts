/**
 * The click cap against the real server: an autoclicker on three connections
 * of one player, sending thousands of clicks a second, next to an honest
 * player at 10 clicks a second.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnServer } from "../support/spawn_server.ts";
import { registerAndLogin } from "../support/accounts.ts";
import { argumentOf, type HubRecord, openHub } from "./hub_socket.ts";
import { RECORD_SEPARATOR as RS } from "../../src/hub/wire.ts";

const CAP = 25;
const ROUND_SECONDS = 2;

Deno.test("click cap: an autoclicker scores at most cap × seconds + cap, an honest player loses nothing", async () => {
  const server = await spawnServer({
    roundSeconds: ROUND_SECONDS,
    // The connection budget would close the autoclicker; this test is about the click cap.
    env: {
      MAX_CLICKS_PER_SECOND: String(CAP),
      MAX_MESSAGES_PER_SECOND: "100000",
      MAX_BYTES_PER_SECOND: "100000000",
    },
  });
  const sockets = [];
  try {
    const honest = await registerAndLogin(server.url);
    const bot = await registerAndLogin(server.url);
    const human = await openHub(server.url, honest.token);
    sockets.push(human);
    const bots = [];
    for (let i = 0; i < 3; i++) bots.push(await openHub(server.url, bot.token));
    sockets.push(...bots);

    // Start with a fresh round, so the whole round is played under the flood.
    const started = argumentOf(await human.waitFor((r) => r.target === "EndRound"));
    const roundId = Number(started.roundId) + 1;
    const roundStart = performance.now();
    const from = bots.map((b) => b.records.length);
    const ended = human.waitFor((r) => r.target === "EndRound", { timeoutMs: 10_000 });

    let flooding = true;
    let botClicks = 0;
    const flood = (async () => {
      let n = 0;
      while (flooding) {
        for (const b of bots) {
          let frame = "";
          for (let i = 0; i < 25; i++) {
            // Some clicks ask for a completion, most don't (`send` in the client).
            frame += i % 5 === 0
              ? `{"type":1,"invocationId":"b${++n}","target":"Increment","arguments":[]}${RS}`
              : `{"type":1,"target":"Increment","arguments":[]}${RS}`;
          }
          b.sendRaw(frame);
          botClicks += 25;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();

    let roundOver = false;
    ended.then(() => roundOver = true, () => {});
    const completions: { record: HubRecord; ms: number }[] = [];
    for (let k = 0; !roundOver; k++) {
      const sentAt = performance.now();
      const completion = await human.invoke("Increment");
      completions.push({ record: completion, ms: performance.now() - sentAt });
      // 10 clicks a second, on a schedule from the round's start.
      const wait = roundStart + (k + 1) * 100 - performance.now();
      if (wait > 0 && !roundOver) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const endRound = argumentOf(await ended);
    flooding = false;
    await flood;
    const elapsed = (performance.now() - roundStart) / 1000;

    assert.equal(endRound.roundId, roundId);
    assert.ok(botClicks > 1000 * elapsed, `the bot sent only ${botClicks} clicks`);
    // The bot won, with no more than the cap allows in one round.
    assert.deepEqual(endRound.winners, [bot.username]);
    assert.ok(
      Number(endRound.nbClicks) <= CAP * ROUND_SECONDS + CAP,
      `bot scored ${endRound.nbClicks}`,
    );
    const rounds = await (await fetch(server.url + "api/rounds?limit=5")).json();
    const recorded = rounds.find((r: { id: number }) => r.id === roundId);
    assert.equal(recorded.nbClicks, endRound.nbClicks);

    // Every honest click counted, promptly, in order.
    assert.ok(completions.length >= 10 * ROUND_SECONDS - 2, `${completions.length} clicks`);
    let previous = 0;
    for (const { record, ms } of completions) {
      assert.equal(record.error, undefined);
      const result = record.result as { score: number; counted: boolean };
      assert.equal(result.counted, true);
      assert.ok(result.score === previous + 1 || result.score === 1, "a click went missing");
      previous = result.score;
      assert.ok(ms < 500, `an honest click took ${ms.toFixed(0)} ms`);
    }

    // The bot was told: dropped clicks say counted: false, Throttled at most once a second.
    const botRecords = bots.flatMap((b, i) => b.records.slice(from[i]));
    const dropped = botRecords.filter((r) =>
      r.type === 3 && (r.result as { counted?: boolean })?.counted === false
    );
    assert.ok(dropped.length > 0, "no completion said counted: false");
    for (const [i, b] of bots.entries()) {
      const throttled = b.records.slice(from[i]).filter((r) => r.target === "Throttled");
      assert.ok(throttled.length >= 1, "the bot was never told it was throttled");
      assert.ok(throttled.length <= Math.ceil(elapsed) + 1, `${throttled.length} Throttled`);
      assert.deepEqual(argumentOf(throttled[0]), { maxClicksPerSecond: CAP });
    }
    // Nobody was dropped.
    for (const socket of sockets) assert.equal(socket.ws.readyState, WebSocket.OPEN);
  } finally {
    for (const socket of sockets) await socket.close();
    assert.equal(await server.stop(), 0);
  }
});
