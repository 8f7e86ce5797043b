import assert from "node:assert/strict";
import {
  ANNOUNCE_MS,
  finalLine,
  finalPlace,
  finalRows,
  invitation,
  liveRows,
  ordinal,
  placeAnnouncement,
  podium,
  raceLine,
  rankStandings,
} from "../../static/src/race_view.ts";
import type { Race } from "../../src/hub/wire.ts";

function race(fields: Partial<Race> = {}): Race {
  return {
    roundId: 7,
    top: [{ username: "alice", score: 35 }, { username: "bob", score: 25 }, {
      username: "cy",
      score: 10,
    }],
    players: 3,
    you: { score: 25, rank: 2 },
    ...fields,
  };
}

Deno.test("ordinal() writes English ordinals, the teens included", () => {
  const cases: [number, string][] = [
    [1, "1st"],
    [2, "2nd"],
    [3, "3rd"],
    [4, "4th"],
    [10, "10th"],
    [11, "11th"],
    [12, "12th"],
    [13, "13th"],
    [21, "21st"],
    [22, "22nd"],
    [23, "23rd"],
    [101, "101st"],
    [111, "111th"],
    [1002, "1,002nd"],
  ];
  for (const [n, text] of cases) assert.equal(ordinal(n), text, String(n));
});

Deno.test("rankStandings() and podium() let equal scores share a place", () => {
  const standings = [
    { username: "ann", score: 30 },
    { username: "bob", score: 30 },
    { username: "cy", score: 20 },
    { username: "dee", score: 10 },
    { username: "eve", score: 10 },
  ];
  assert.deepEqual(rankStandings(standings).map((entry) => entry.rank), [1, 1, 3, 4, 4]);
  assert.deepEqual(podium(standings).map((entry) => [entry.username, entry.rank]), [
    ["ann", 1],
    ["bob", 1],
    ["cy", 3],
  ]);
  // A tie for third puts four on the podium.
  const tiedThird = [
    { username: "ann", score: 9 },
    { username: "bob", score: 8 },
    { username: "cy", score: 7 },
    { username: "dee", score: 7 },
    { username: "eve", score: 1 },
  ];
  assert.deepEqual(podium(tiedThird).map((entry) => entry.rank), [1, 2, 3, 3]);
  assert.deepEqual(podium([]), []);
});

Deno.test("finalPlace() finds the player in the standings, any case, ties sharing", () => {
  const standings = [
    { username: "Alice", score: 35 },
    { username: "bob", score: 25 },
    { username: "cy", score: 25 },
  ];
  const place = finalPlace({
    roundId: 7,
    standings,
    username: "CY",
    ownScore: 0,
    lastRace: null,
  });
  assert.deepEqual(place, { score: 25, rank: 2, players: 3 });
  assert.equal(finalLine(place, 10), "You: 25, 2nd of 3");
});

Deno.test("finalPlace() says who did not play, and counts the players the last Race saw", () => {
  const standings = [{ username: "alice", score: 35 }, { username: "bob", score: 25 }];
  const place = finalPlace({
    roundId: 7,
    standings,
    username: "dee",
    ownScore: 0,
    lastRace: race({ players: 3, you: { score: 0, rank: null } }),
  });
  assert.deepEqual(place, { score: 0, rank: null, players: 3 });
  assert.equal(finalLine(place, 10), "You didn't play this round");
});

Deno.test("finalPlace() places a player below the top from the round's last Race only", () => {
  const standings = Array.from({ length: 10 }, (_, i) => ({ username: `p${i}`, score: 50 - i }));
  const lastRace = race({ players: 20, you: { score: 4, rank: 14 } });
  const input = { roundId: 7, standings, username: "me", ownScore: 4, lastRace };
  assert.equal(finalLine(finalPlace(input), 10), "You: 4, 14th of 20");
  // A Race of an earlier round says nothing of this one.
  const stale = finalPlace({ ...input, lastRace: { ...lastRace, roundId: 6 } });
  assert.deepEqual(stale, { score: 4, rank: null, players: 10 });
  assert.equal(finalLine(stale, 10), "You: 4, outside the top 10");
});

Deno.test("invitation() asks the newcomer in with the seconds left", () => {
  assert.equal(invitation(12), "Round ends in 12 s: start clicking!");
});

Deno.test("raceLine() gives the place and who leads, or asks to join", () => {
  assert.equal(raceLine(race(), 7, "bob"), "You: 2nd of 3 · alice leads with 35");
  assert.equal(
    raceLine(race({ you: { score: 35, rank: 1 } }), 7, "ALICE"),
    "You: 1st of 3, 10 ahead",
  );
  assert.equal(
    raceLine(race({ you: { score: 0, rank: null } }), 7, "dee"),
    "alice leads with 35 points: catch up!",
  );
  const alone = race({ top: [{ username: "ann", score: 3 }], players: 1 });
  assert.equal(raceLine({ ...alone, you: { score: 3, rank: 1 } }, 7, "ann"), "You: 1st of 1");
  const empty = race({ top: [], players: 0, you: { score: 0, rank: null } });
  assert.equal(raceLine(empty, 7, "ann"), "Nobody has scored yet: be the first!");
  // The last Race of the round before: the new round has no scores yet.
  assert.equal(raceLine(race(), 8, "bob"), "Nobody has scored yet: be the first!");
});

Deno.test("liveRows() marks the player's row and adds it below the top when outside it", () => {
  const rows = liveRows(race(), 7, "Bob");
  assert.deepEqual(rows.map((row) => [row.rank, row.username, row.me]), [
    [1, "alice", false],
    [2, "bob", true],
    [3, "cy", false],
  ]);
  const below = liveRows(race({ players: 14, you: { score: 2, rank: 14 } }), 7, "zed");
  assert.deepEqual(below.at(-1), { username: "zed", score: 2, rank: 14, me: true });
  assert.equal(below.length, 4);
  assert.deepEqual(liveRows(race(), 8, "bob"), []);
  assert.deepEqual(
    finalRows([{ username: "a", score: 5 }, { username: "B", score: 5 }], "b").map((
      row,
    ) => [row.rank, row.me]),
    [[1, false], [1, true]],
  );
});

Deno.test("placeAnnouncement() speaks only of a new place, at most every few seconds", () => {
  const first = placeAnnouncement(null, race(), 1_000);
  assert.deepEqual(first, { text: "You are 2nd of 3.", rank: 2, at: 1_000 });
  // The same place again: nothing.
  assert.equal(placeAnnouncement(first, race(), 20_000), null);
  const third = race({ you: { score: 25, rank: 3 } });
  // A new place too soon after the last announcement: nothing yet.
  assert.equal(placeAnnouncement(first, third, 1_000 + ANNOUNCE_MS - 1), null);
  assert.equal(placeAnnouncement(first, third, 1_000 + ANNOUNCE_MS)?.text, "You are 3rd of 3.");
  // No place (not scored yet): nothing.
  assert.equal(placeAnnouncement(null, race({ you: { score: 0, rank: null } }), 0), null);
});
