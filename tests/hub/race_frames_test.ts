import assert from "node:assert/strict";
import { RaceFrames } from "../../src/hub/race_frames.ts";
import { JSON_PROTOCOL } from "../../src/hub/json_protocol.ts";
import { MESSAGEPACK_PROTOCOL } from "../../src/hub/messagepack_protocol.ts";
import type { HubProtocol, SharedRace } from "../../src/hub/protocol.ts";

const RACE: SharedRace = {
  roundId: 5,
  top: [{ username: "ann", score: 12 }, { username: "bob", score: 7 }],
  players: 3,
};

/** The protocol, counting how often the shared part is encoded. */
function counting(protocol: HubProtocol): { protocol: HubProtocol; heads: () => number } {
  let heads = 0;
  return {
    protocol: {
      ...protocol,
      encodeSharedRace: (race) => {
        heads++;
        return protocol.encodeSharedRace(race);
      },
    },
    heads: () => heads,
  };
}

Deno.test("RaceFrames.frame() makes each watcher's Race in its protocol, the shared part once", () => {
  for (const base of [JSON_PROTOCOL, MESSAGEPACK_PROTOCOL]) {
    const { protocol, heads } = counting(base);
    const frames = new RaceFrames(RACE);
    for (const you of [{ score: 12, rank: 1 }, { score: 7, rank: 2 }, { score: 0, rank: null }]) {
      assert.deepEqual(
        frames.frame(protocol, you).data,
        base.encodeInvocation("Race", { ...RACE, you }),
      );
    }
    assert.equal(heads(), 1, base.name);
  }
});

Deno.test("RaceFrames.frame() gives every player who has not scored the same message", () => {
  const frames = new RaceFrames(RACE);
  const unranked = frames.frame(MESSAGEPACK_PROTOCOL, { score: 0, rank: null });
  assert.equal(frames.frame(MESSAGEPACK_PROTOCOL, { score: 0, rank: null }), unranked);
  assert.notEqual(frames.frame(MESSAGEPACK_PROTOCOL, { score: 1, rank: 3 }), unranked);
  const json = frames.frame(JSON_PROTOCOL, { score: 0, rank: null });
  assert.equal(frames.frame(JSON_PROTOCOL, { score: 0, rank: null }), json);
  assert.equal(
    json.data,
    JSON_PROTOCOL.encodeInvocation("Race", { ...RACE, you: { score: 0, rank: null } }),
  );
});
