/**
 * The game contract (`tests/game_contract/hub_game_contract.ts`) over the
 * game of several servers: `ClusterGame` and its click batch against a real
 * Redis, each round closed and announced by the scripts the leader runs.
 *
 * @module
 */

import { quietLog } from "../../src/log/problem_log.ts";
import { describeHubGame, type GameUnderTest } from "../game_contract/hub_game_contract.ts";
import { freshRedis } from "./services.ts";
import { openRedis } from "../../src/cluster/redis_connection.ts";
import { clusterKeys } from "../../src/cluster/cluster_keys.ts";
import { ClickBatch } from "../../src/cluster/click_batch.ts";
import { ClusterGame } from "../../src/cluster/cluster_game.ts";
import { RaceReader } from "../../src/cluster/race_reader.ts";
import { sleep } from "../../src/sleep.ts";
import type { RaceEntry } from "../../src/hub/wire.ts";
import {
  announceRound,
  closeRound,
  initRound,
  readRound,
} from "../../src/cluster/round_scripts.ts";

/** This file's Redis database index (each cluster test file has its own). */
const REDIS_DB = 1;
/** Longer than any test, so only `closeRound()` ends a round. */
const ROUND_MS = 600_000;
const LEASE = "contract-leader";

describeHubGame("the game in Redis", async ({ maxClicksPerSecond }) => {
  const redis = await openRedis(await freshRedis(REDIS_DB), {
    name: "contract",
    log: quietLog,
  });
  const keys = clusterKeys("contract:");
  const start = Date.now();
  const round = await initRound(redis, keys, {
    id: 1,
    startedAt: start,
    endsAt: start + ROUND_MS,
    gridStart: start,
    durationMs: ROUND_MS,
  }, 0);
  const batch = new ClickBatch({ redis, keys, maxClicksPerSecond });
  const game = new ClusterGame({ batch, maxClicksPerSecond, round });
  const names = new Map<number, string>();
  let standings: RaceEntry[] = [];
  /** Redis's clock, in ms. */
  const redisMs = async () => {
    const [s, us] = await redis.call("TIME") as [string, string];
    return Number(s) * 1000 + Math.floor(Number(us) / 1000);
  };
  const t: GameUnderTest = {
    game,
    player(username) {
      const id = names.size + 1;
      names.set(id, username);
      return Promise.resolve({ id, username });
    },
    now: () => Date.now(),
    async advance(ms) {
      // Redis's clock can't be moved: each bucket's last refill moves back instead.
      for (const key of await redis.call("KEYS", `${keys.bucket}w*`) as string[]) {
        const held = await redis.call("HGETALL", key) as string[];
        for (let i = 0; i < held.length; i += 2) {
          const [tokens, updated] = held[i + 1].split(" ").map(Number);
          await redis.call("HSET", key, held[i], `${tokens} ${updated - ms}`);
        }
      }
    },
    async closeRound() {
      await redis.call("SET", keys.leader, LEASE);
      const { id, endsAt } = (await readRound(redis, keys))!;
      const nextRoundEndsAt = endsAt + ROUND_MS;
      const outcome = await closeRound(redis, keys, LEASE, id, nextRoundEndsAt);
      if (outcome.kind !== "closed") throw new Error(`Cannot close round ${id}: ${outcome.kind}`);
      const { nbClicks } = outcome.result;
      const winners = outcome.result.winners.map((w) => names.get(w)!);
      // As the leader tells them: the race's first 10, by name.
      standings = (outcome.result.ranked ?? []).slice(0, 10).map(([playerId, score]) => ({
        username: names.get(playerId)!,
        score,
      }));
      await announceRound(redis, keys, id, winners, nbClicks, standings);
      game.roundEnded({ roundId: id, winners, nbClicks, nextRoundEndsAt, standings });
      return { roundId: id, winners, nbClicks };
    },
    lastStandings: () => standings,
    async race(watching) {
      const reader = new RaceReader({
        redis,
        keys,
        sleep,
        watching: () => watching,
        names: (ids) => Promise.resolve(new Map(ids.map((id) => [id, names.get(id)!]))),
        onChange: () => {},
      });
      await reader.read();
      return reader;
    },
    async later() {
      // Redis reads its own clock for each batch: wait until it has moved on.
      const now = await redisMs();
      while (await redisMs() <= now);
    },
    dispose() {
      redis.disconnect();
      return Promise.resolve();
    },
  };
  return t;
});
