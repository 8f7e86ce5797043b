/**
 * A full disk under the real server (`main.ts` in a child process), made for
 * real: the database lives on a small tmpfs that the test fills. Needs the
 * right to mount (root in a container); skipped with a message otherwise.
 *
 * What must hold: no `EndRound` goes out for a round the database doesn't
 * hold; `/healthz` names SQLite's error; the held rounds go out in order once
 * space is back; a shutdown that can't save says so and exits 1; and a
 * restart afterwards contradicts no announced result and reuses no
 * announced round id.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { spawnServer } from "../support/spawn_server.ts";
import { registerAndLogin } from "../support/accounts.ts";
import { argumentOf, type HubRecord, type HubSocket, openHub } from "./hub_socket.ts";
import { assertWinsConsistent, readRows, type Rows } from "./db_rows.ts";

function run(command: string, args: string[]): boolean {
  try {
    return new Deno.Command(command, { args, stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false; // no such command
  }
}

/** Whether this process may mount a tmpfs (tried once, on a scratch folder). */
function mountAllowed(): boolean {
  const dir = Deno.makeTempDirSync({ prefix: "clicker-mount-probe-" });
  try {
    if (!run("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir])) return false;
    run("umount", [dir]);
    return true;
  } finally {
    Deno.removeSync(dir);
  }
}

const MOUNT_ALLOWED = mountAllowed();
if (!MOUNT_ALLOWED) {
  console.warn("disk_full_test.ts: skipped: mounting a tmpfs is not permitted here (needs root)");
}

/** Runs `fn` with a fresh tmpfs of `size` (such as "2m"), unmounted afterwards. */
async function withTmpfs(size: string, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "clicker-full-" });
  assert.ok(run("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir]), "mount failed");
  try {
    await fn(dir);
  } finally {
    if (!run("umount", [dir])) run("umount", ["-l", dir]);
    await Deno.remove(dir, { recursive: true });
  }
}

/** Fills the file system holding `dir` to the last byte; returns the filler's path. */
async function fillDisk(dir: string): Promise<string> {
  const path = join(dir, "filler");
  using file = await Deno.open(path, { write: true, create: true });
  for (const size of [65_536, 4096, 1]) {
    const chunk = new Uint8Array(size);
    try {
      for (;;) await file.write(chunk);
    } catch (error) {
      if (!(error instanceof Error && /No space left/i.test(error.message))) throw error;
    }
  }
  return path;
}

interface Health {
  readonly status: number;
  readonly body: {
    roundLoop: {
      roundId: number;
      unrecorded: number;
      lastUnitOfWork: { ok: boolean; error?: string } | null;
    };
  };
}

async function untilHealth(url: string, check: (answer: Health) => boolean): Promise<Health> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const response = await fetch(url + "healthz");
    const answer = { status: response.status, body: await response.json() };
    if (check(answer)) return answer;
    assert.ok(Date.now() < deadline, `healthz never got there: ${JSON.stringify(answer)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const failedFull = (h: Health) =>
  h.body.roundLoop.lastUnitOfWork?.ok === false &&
  /disk is full \(SQLITE_FULL\)/.test(h.body.roundLoop.lastUnitOfWork.error ?? "");

async function click(socket: HubSocket, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await socket.invoke("Increment");
}

const isEndRound = (r: HubRecord) => r.target === "EndRound";
const endRoundOf = (roundId: number) => (r: HubRecord) =>
  isEndRound(r) && argumentOf(r).roundId === roundId;

/** Every `EndRound` in `records` is recorded, with the same winners and winning score. */
function assertAnnouncedAsRecorded(records: HubRecord[], rows: Rows): void {
  for (const record of records.filter(isEndRound)) {
    const end = argumentOf(record);
    const row = rows.rounds.find((r) => r.id === end.roundId);
    assert.ok(row, `round ${end.roundId} was announced but is not recorded`);
    assert.equal(row.nb_clicks, end.nbClicks, `round ${end.roundId}'s score`);
    const winners = rows.winners.filter((w) => w.round_id === end.roundId).map((w) => w.username);
    assert.deepEqual(winners.toSorted(), (end.winners as string[]).toSorted());
  }
}

Deno.test({
  name: "disk full across a tick: EndRound waits for the record, healthz names SQLITE_FULL, " +
    "and the held rounds go out in order once space is back",
  ignore: !MOUNT_ALLOWED,
  fn: () =>
    withTmpfs("2m", async (dir) => {
      const server = await spawnServer({ databasePath: join(dir, "clicker.db"), roundSeconds: 3 });
      let socket: HubSocket | undefined;
      try {
        const player = await registerAndLogin(server.url);
        socket = await openHub(server.url, player.token);
        const start = argumentOf(await socket.waitFor(isEndRound));
        const roundId = Number(start.roundId) + 1;
        await click(socket, 3);
        const filler = await fillDisk(dir);
        assert.equal(socket.records.some(endRoundOf(roundId)), false, "too slow to test");

        const full = await untilHealth(
          server.url,
          (h) => h.body.roundLoop.roundId === roundId + 1 && failedFull(h),
        );
        assert.equal(full.status, 503);
        assert.ok(full.body.roundLoop.unrecorded >= 1);
        // Play goes on, in memory; nobody hears of the round the disk refused.
        await click(socket, 2);
        assert.equal(socket.records.some(endRoundOf(roundId)), false);
        assert.deepEqual(readRows(server.databasePath).rounds.filter((r) => r.id === roundId), []);

        await Deno.remove(filler);
        const end = argumentOf(await socket.waitFor(endRoundOf(roundId), { from: 0 }));
        assert.deepEqual([end.winners, end.nbClicks], [[player.username], 3]);
        const next = argumentOf(await socket.waitFor(endRoundOf(roundId + 1), { from: 0 }));
        assert.deepEqual([next.winners, next.nbClicks], [[player.username], 2]);
        await untilHealth(server.url, (h) => h.status === 200);
        const ids = socket.records.filter(isEndRound).map((r) => Number(argumentOf(r).roundId));
        assert.deepEqual(ids, ids.toSorted((a, b) => a - b), "in order");
        assert.equal(await server.stop("SIGTERM"), 0, server.output());
        const rows = readRows(server.databasePath);
        assertAnnouncedAsRecorded(socket.records, rows);
        assertWinsConsistent(rows);
      } finally {
        await server.stop("SIGKILL");
        await socket?.close();
      }
    }),
});

Deno.test({
  name: "disk full at SIGTERM: exit 1 saying how many rounds and why; a restart contradicts " +
    "no EndRound and reuses no announced round id",
  ignore: !MOUNT_ALLOWED,
  fn: () =>
    withTmpfs("2m", async (dir) => {
      const databasePath = join(dir, "clicker.db");
      const first = await spawnServer({ databasePath, roundSeconds: 1 });
      let socket: HubSocket | undefined;
      let filler: string | undefined;
      try {
        const player = await registerAndLogin(first.url);
        socket = await openHub(first.url, player.token);
        const start = argumentOf(await socket.waitFor(isEndRound));
        await click(socket, 2);
        filler = await fillDisk(dir);
        // At least one round ended on the full disk, unrecorded and unannounced.
        await untilHealth(
          first.url,
          (h) => h.body.roundLoop.roundId > Number(start.roundId) + 1 && failedFull(h),
        );
        assert.equal(await first.stop("SIGTERM"), 1, first.output());
      } finally {
        await first.stop("SIGKILL");
        await socket?.close();
      }
      assert.match(
        first.output(),
        /clicker: shutdown could not save to the database: \d+ ended rounds? not recorded and the round in progress not saved: database or disk is full \(SQLITE_FULL\)/,
      );
      const announced = socket.records.filter(isEndRound);
      const lastAnnounced = Math.max(...announced.map((r) => Number(argumentOf(r).roundId)));

      await Deno.remove(filler!);
      const second = await spawnServer({ databasePath, roundSeconds: 1 });
      let again: HubSocket | undefined;
      try {
        const player = await registerAndLogin(second.url);
        again = await openHub(second.url, player.token);
        const info = argumentOf(again.records.find((r) => r.target === "GameInfo")!);
        assert.ok(Number(info.roundId) > lastAnnounced, `round ${info.roundId} reused`);
        const end = argumentOf(await again.waitFor(isEndRound));
        assert.ok(Number(end.roundId) > lastAnnounced);
        assert.equal(await second.stop("SIGTERM"), 0, second.output());
      } finally {
        await second.stop("SIGKILL");
        await again?.close();
      }
      const rows = readRows(databasePath);
      assertAnnouncedAsRecorded(announced, rows);
      assertWinsConsistent(rows);
    }),
});
