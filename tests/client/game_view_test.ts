import assert from "node:assert/strict";
import {
  activeNotice,
  canBuy,
  canClick,
  countdown,
  displayScore,
  ELSEWHERE_MESSAGE,
  elsewhereMessage,
  type GameAction,
  type GameView,
  hurryMs,
  initialView,
  nextChangeIn,
  reduce,
  roundOutcome,
} from "../../static/src/game_view.ts";
import type { GameInfo } from "../../src/hub/wire.ts";

const INFO: GameInfo = {
  nbWins: 3,
  multiplierCost: 10,
  score: 0,
  multiplier: 1,
  roundId: 7,
  roundEndsAt: 1_000_030_000,
  roundDurationMs: 30_000,
  serverTime: 1_000_000_000,
  maxClicksPerSecond: 25,
  baseMultiplierCost: 10,
  lastRound: null,
};

function play(view: GameView, ...actions: GameAction[]): GameView {
  return actions.reduce(reduce, view);
}

function connected(info: Partial<GameInfo> = {}, receivedAt = INFO.serverTime): GameView {
  return play(
    initialView("ann"),
    { type: "gameInfo", info: { ...INFO, ...info }, receivedAt },
    { type: "connection", state: "connected" },
  );
}

Deno.test("reduce() takes score, multiplier, wins and round from GameInfo", () => {
  const view = connected({ score: 12, multiplier: 2, multiplierCost: 20 });
  assert.equal(view.ready, true);
  assert.equal(displayScore(view), 12);
  assert.equal(view.multiplier, 2);
  assert.equal(view.multiplierCost, 20);
  assert.equal(view.nbWins, 3);
  assert.equal(view.roundId, 7);
});

Deno.test("reduce() shows a click only once the server counted it", () => {
  let view = connected({ multiplier: 2, multiplierCost: 20 });
  view = play(view, { type: "clickSent" }, { type: "clickSent" });
  assert.equal(displayScore(view), 0, "clicks in flight are not shown as counted");
  assert.equal(view.pendingClicks, 2);
  view = reduce(view, {
    type: "clickDone",
    update: { score: 2, multiplier: 2, multiplierCost: 20, counted: true },
  });
  assert.equal(view.pendingClicks, 1);
  assert.equal(displayScore(view), 2);
  view = reduce(view, {
    type: "clickDone",
    update: { score: 2, multiplier: 2, multiplierCost: 20, counted: false },
  });
  assert.equal(displayScore(view), 2, "a click the cap dropped never showed");
});

Deno.test("reduce() takes the standing another tab made", () => {
  const view = reduce(connected({ score: 3 }), {
    type: "standing",
    update: { score: 12, multiplier: 2, multiplierCost: 20, counted: true },
  });
  assert.deepEqual([displayScore(view), view.multiplier, view.multiplierCost], [12, 2, 20]);
});

Deno.test("reduce() shows the last round GameInfo names, unless it is already shown", () => {
  const view = connected({ lastRound: { roundId: 6, winners: ["ann"], nbClicks: 40 } });
  assert.deepEqual(view.lastResult, {
    roundId: 6,
    winners: ["ann"],
    nbClicks: 40,
    outcome: "won",
  });
  const same = reduce(view, {
    type: "gameInfo",
    info: { ...INFO, lastRound: { roundId: 6, winners: ["ann"], nbClicks: 40 } },
    receivedAt: INFO.serverTime,
  });
  assert.equal(same.lastResult, view.lastResult);
  assert.equal(connected().lastResult, null);
});

Deno.test("reduce() stops clicks and purchases once signed out", () => {
  const view = reduce(connected({ score: 50 }), { type: "signedOut", message: "Expired" });
  assert.equal(view.signedOut, "Expired");
  assert.equal(canClick(view), false);
  assert.equal(canBuy(view), false);
});

Deno.test("reduce() drops an unanswered click without going below zero in flight", () => {
  let view = play(connected(), { type: "clickSent" }, { type: "connectionLost" });
  view = reduce(view, { type: "clickDone", update: null });
  assert.equal(view.pendingClicks, 0);
  assert.equal(displayScore(view), 0);
});

Deno.test("canBuy() needs the cost, a connection and no purchase in flight", () => {
  let view = connected({ score: 9 });
  assert.equal(canBuy(view), false);
  view = reduce(view, { type: "clickSent" });
  assert.equal(canBuy(view), false, "a click in flight is not yet a point");
  view = reduce(view, {
    type: "clickDone",
    update: { score: 10, multiplier: 1, multiplierCost: 10, counted: true },
  });
  assert.equal(canBuy(view), true);
  assert.equal(canBuy(reduce(view, { type: "buySent" })), false);
  assert.equal(canBuy(reduce(view, { type: "connection", state: "reconnecting" })), false);
});

Deno.test("reduce() applies a purchase and shows a refusal for a moment", () => {
  let view = reduce(connected({ score: 15 }), { type: "buySent" });
  view = reduce(view, {
    type: "buyDone",
    update: { score: 5, multiplier: 2, multiplierCost: 20, counted: true },
  });
  assert.deepEqual([displayScore(view), view.multiplier, view.multiplierCost, view.buying], [
    5,
    2,
    20,
    false,
  ]);
  view = play(view, { type: "buySent" }, {
    type: "buyRefused",
    message: "Not enough points",
    now: 100,
  });
  assert.equal(view.buying, false);
  assert.equal(activeNotice(view, 101)?.text, "Not enough points");
  assert.equal(activeNotice(view, 100_000), null);
});

Deno.test("reduce() resets the round and counts a win on EndRound", () => {
  let view = connected({ score: 40, multiplier: 4, multiplierCost: 40 });
  view = reduce(view, {
    type: "endRound",
    round: {
      winners: ["Ann"],
      nbClicks: 40,
      roundId: 7,
      nextRoundEndsAt: 1_000_060_000,
      standings: [{ username: "Ann", score: 40 }],
    },
  });
  assert.deepEqual([displayScore(view), view.multiplier, view.multiplierCost], [0, 1, 10]);
  assert.equal(view.nbWins, 4, "usernames compare without case");
  assert.equal(view.roundId, 8);
  assert.equal(view.roundEndsAt, 1_000_060_000);
  assert.equal(view.roundsSeen, 1);
  const { roundId, winners, nbClicks, outcome, place } = view.lastResult!;
  assert.deepEqual({ roundId, winners, nbClicks, outcome }, {
    roundId: 7,
    winners: ["Ann"],
    nbClicks: 40,
    outcome: "won",
  });
  assert.deepEqual(place, { score: 40, rank: 1, players: 1 });
});

Deno.test("reduce() leaves wins alone when someone else wins or nobody does", () => {
  const lost = reduce(connected(), {
    type: "endRound",
    round: { winners: ["bob"], nbClicks: 5, roundId: 7, nextRoundEndsAt: 0, standings: [] },
  });
  assert.equal(lost.nbWins, 3);
  assert.equal(lost.lastResult?.outcome, "lost");
  const none = reduce(connected(), {
    type: "endRound",
    round: { winners: [], nbClicks: 0, roundId: 7, nextRoundEndsAt: 0, standings: [] },
  });
  assert.equal(none.lastResult?.outcome, "none");
});

Deno.test("roundOutcome() tells a win, a tie, a loss and no winner", () => {
  assert.equal(roundOutcome(["ann"], "ann"), "won");
  assert.equal(roundOutcome(["bob", "ann"], "ann"), "tied");
  assert.equal(roundOutcome(["bob"], "ann"), "lost");
  assert.equal(roundOutcome([], "ann"), "none");
});

Deno.test("countdown() follows the server's clock when the local clock is minutes off", () => {
  const skew = -7 * 60_000; // the computer is seven minutes behind
  const received = INFO.serverTime + skew;
  const view = connected({}, received);
  assert.deepEqual(countdown(view, received), { remainingMs: 30_000, seconds: 30, fraction: 1 });
  assert.deepEqual(countdown(view, received + 10_500), {
    remainingMs: 19_500,
    seconds: 20,
    fraction: 0.65,
  });
  assert.equal(countdown(view, received + 31_000)?.remainingMs, 0, "never negative");
});

Deno.test("countdown() uses nextRoundEndsAt after a round ends", () => {
  const view = reduce(connected(), {
    type: "endRound",
    round: {
      winners: [],
      nbClicks: 0,
      roundId: 7,
      nextRoundEndsAt: INFO.roundEndsAt + 30_000,
      standings: [],
    },
  });
  assert.equal(countdown(view, INFO.roundEndsAt + 1_000)?.seconds, 29);
});

Deno.test("countdown() is null before the first GameInfo", () => {
  assert.equal(countdown(initialView("ann"), 0), null);
});

Deno.test("canClick() waits for the connection and the first GameInfo", () => {
  const waiting = reduce(initialView("ann"), { type: "connection", state: "connected" });
  assert.equal(canClick(waiting), false);
  assert.equal(canClick(connected()), true);
});

Deno.test("reduce() shows Throttled for a moment", () => {
  const view = reduce(connected(), { type: "throttled", maxClicksPerSecond: 25, now: 1_000 });
  assert.match(activeNotice(view, 1_500)?.text ?? "", /25 clicks a second/);
  assert.equal(activeNotice(view, 10_000), null);
});

Deno.test("reduce() forgets the player count when the connection drops", () => {
  const view = play(connected(), { type: "playerCount", online: 5 }, { type: "connectionLost" });
  assert.equal(view.online, null);
});

Deno.test("reduce() resets the multiplier cost to the base cost GameInfo gave", () => {
  let view = connected({ multiplier: 4, multiplierCost: 60, baseMultiplierCost: 15 });
  view = reduce(view, {
    type: "endRound",
    round: { winners: [], nbClicks: 0, roundId: 7, nextRoundEndsAt: 0, standings: [] },
  });
  assert.deepEqual([view.multiplier, view.multiplierCost], [1, 15]);
});

Deno.test("reduce() names GameInfo's click cap when Throttled names none", () => {
  const view = reduce(connected({ maxClicksPerSecond: 12 }), {
    type: "throttled",
    maxClicksPerSecond: null,
    now: 1_000,
  });
  assert.match(activeNotice(view, 1_500)?.text ?? "", /Only 12 clicks a second/);
  const unknown = reduce(initialView("ann"), {
    type: "throttled",
    maxClicksPerSecond: null,
    now: 1_000,
  });
  assert.match(activeNotice(unknown, 1_500)?.text ?? "", /too fast to count/);
});

Deno.test("hurryMs() is the last 5 s of a round, or its last quarter when shorter", () => {
  assert.equal(hurryMs(connected()), 5_000);
  assert.equal(hurryMs(connected({ roundDurationMs: 8_000 })), 2_000);
});

Deno.test("nextChangeIn() waits for the countdown's next second, or its turn to hurry", () => {
  const view = connected(); // 30 s left at serverTime, clocks agreeing
  assert.equal(nextChangeIn(view, INFO.serverTime), 1_000);
  assert.equal(nextChangeIn(view, INFO.serverTime + 300), 700);
  // 5.2 s left: the countdown turns to "hurry" in 200 ms, before its next second.
  assert.equal(nextChangeIn(view, INFO.roundEndsAt - 5_200), 200);
});

Deno.test("nextChangeIn() never waits past a notice's end, and at most a second", () => {
  const idle = reduce(initialView("ann"), { type: "connection", state: "connected" });
  assert.equal(nextChangeIn(idle, 0), 1_000, "no countdown: once a second");
  const noticed: GameView = {
    ...connected(),
    notice: { kind: "refused", text: "Not enough points", until: INFO.serverTime + 120 },
  };
  assert.equal(nextChangeIn(noticed, INFO.serverTime), 120);
});

Deno.test("elsewhereMessage() says why while another tab plays in this one's place", () => {
  const playing = connected();
  assert.equal(elsewhereMessage(playing), null);
  const paused = play(playing, { type: "connectionLost" }, {
    type: "connection",
    state: "elsewhere",
  });
  assert.equal(elsewhereMessage(paused), ELSEWHERE_MESSAGE);
  assert.match(ELSEWHERE_MESSAGE, /another tab or window/);
  assert.equal(canClick(paused), false);
  assert.equal(canBuy(paused), false);
  assert.equal(paused.online, null);
  // No countdown to a retry: the page waits for the player.
  assert.equal(paused.retryAt, null);
  // A session that ended says that instead.
  assert.equal(elsewhereMessage(play(paused, { type: "signedOut", message: "Bye" })), null);
  // Playing here again: the message goes as the connection comes back.
  const back = play(paused, { type: "connection", state: "reconnecting" });
  assert.equal(elsewhereMessage(back), null);
  assert.equal(canClick(play(back, { type: "connection", state: "connected" })), true);
});
