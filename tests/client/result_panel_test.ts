import assert from "node:assert/strict";
import { type GameAction, type GameView, initialView, reduce } from "../../static/src/game_view.ts";
import { finalMs, racePanel } from "../../static/src/race_panel.ts";
import { announcement, resultPanel } from "../../static/src/result_panel.ts";
import { FINAL_MS } from "../../static/src/race_view.ts";
import type { EndRound, GameInfo, Race } from "../../src/hub/wire.ts";

const NOW = 1_000_000_000;

const INFO: GameInfo = {
  nbWins: 0,
  multiplierCost: 10,
  score: 0,
  multiplier: 1,
  roundId: 4,
  roundEndsAt: NOW + 12_000,
  roundDurationMs: 30_000,
  serverTime: NOW,
  maxClicksPerSecond: 25,
  baseMultiplierCost: 10,
  lastRound: { roundId: 3, winners: [], nbClicks: 0 },
};

function play(username: string, ...actions: GameAction[]): GameView {
  return actions.reduce(reduce, initialView(username));
}

function joined(username: string, info: Partial<GameInfo> = {}): GameView {
  return play(
    username,
    { type: "connection", state: "connected" },
    { type: "gameInfo", info: { ...INFO, ...info }, receivedAt: NOW },
  );
}

const RACE: Race = {
  roundId: 4,
  top: [{ username: "alice", score: 35 }, { username: "bob", score: 25 }, {
    username: "cy",
    score: 10,
  }],
  players: 3,
  you: { score: 25, rank: 2 },
};

const END = {
  winners: ["alice"],
  nbClicks: 35,
  roundId: 4,
  nextRoundEndsAt: NOW + 42_000,
  standings: RACE.top,
};

Deno.test("resultPanel() invites a newcomer in rather than showing an empty round", () => {
  const view = joined("dee");
  const panel = resultPanel(view, NOW);
  assert.equal(panel?.outcome, "invite");
  assert.equal(panel?.label, "Round 4 is on");
  assert.equal(panel?.headline, "Round ends in 12 s: start clicking!");
  assert.equal(resultPanel(view, NOW + 2_500)?.headline, "Round ends in 10 s: start clicking!");
  // Signed out, the empty round is what there is to say: no invitation to click.
  const out = reduce(view, { type: "signedOut", message: "Expired" });
  assert.equal(resultPanel(out, NOW)?.headline, "No winner");
  // Before GameInfo: nothing to say yet.
  assert.equal(resultPanel(initialView("dee"), NOW), null);
});

Deno.test("resultPanel() shows the podium and a loser's own line after EndRound", () => {
  const view = [
    { type: "race", race: RACE, now: NOW + 1_000 },
    { type: "endRound", round: END, now: NOW + 12_000 },
  ].reduce((v, a) => reduce(v, a as GameAction), joined("bob"));
  const panel = resultPanel(view, NOW + 13_000)!;
  assert.equal(panel.headline, "alice wins");
  assert.equal(panel.you, "You: 25, 2nd of 3");
  assert.deepEqual(panel.podium.map((entry) => [entry.rank, entry.username]), [
    [1, "alice"],
    [2, "bob"],
    [3, "cy"],
  ]);
  assert.equal(
    announcement(view),
    "Round 4 is over. alice wins. 35 points. Beat that next round! You: 25, 2nd of 3.",
  );
  // Someone who only watched.
  const watcher = reduce(joined("dee"), { type: "endRound", round: END, now: NOW + 12_000 });
  assert.equal(resultPanel(watcher, NOW + 13_000)?.you, "You didn't play this round");
});

Deno.test("resultPanel() and racePanel() stay as before for a server without a race", () => {
  // An older server's EndRound, as it arrives: without `standings`.
  const { standings: _, ...old } = END;
  const round = old as unknown as EndRound;
  const view = reduce(joined("bob"), { type: "endRound", round, now: NOW + 12_000 });
  const panel = resultPanel(view, NOW + 13_000)!;
  assert.equal(panel.you, "");
  assert.deepEqual(panel.podium, []);
  assert.equal(racePanel(view, NOW + 13_000), null);
});

Deno.test("racePanel() shows the final top for a few seconds, then the live race", () => {
  let view = reduce(joined("bob"), { type: "race", race: RACE, now: NOW });
  assert.equal(racePanel(view, NOW)?.summary, "You: 2nd of 3 · alice leads with 35");
  view = reduce(view, { type: "endRound", round: END, now: NOW + 12_000 });
  const final = racePanel(view, NOW + 12_000 + FINAL_MS - 1)!;
  assert.equal(final.mode, "final");
  assert.equal(final.caption, "Round 4, final");
  assert.equal(final.summary, "You: 25, 2nd of 3");
  const live = racePanel(view, NOW + 12_000 + FINAL_MS)!;
  assert.equal(live.mode, "live");
  assert.equal(live.caption, "Round 5");
  assert.equal(live.summary, "Nobody has scored yet: be the first!");
  assert.deepEqual(live.rows, []);
  // Rounds of 4 s keep it for their first second only.
  const short = reduce(joined("bob", { roundDurationMs: 4_000 }), {
    type: "endRound",
    round: END,
    now: NOW,
  });
  assert.equal(finalMs(short), 1_000);
  assert.equal(racePanel(short, NOW + 999)?.mode, "final");
  assert.equal(racePanel(short, NOW + 1_000), null);
});
