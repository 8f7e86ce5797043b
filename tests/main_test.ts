import assert from "node:assert/strict";
import { join } from "node:path";
import { spawnServer } from "./support/spawn_server.ts";
import { postJson, registerAndLogin } from "./support/accounts.ts";

const MAIN = join(import.meta.dirname!, "..", "main.ts");

/** Runs main.ts to its end (it must end by itself) and returns its exit code and output. */
async function runMain(
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env: { PORT: "0", HOST: "127.0.0.1", NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // A safety net, not a wait: a server that keeps running is a failure.
  const guard = setTimeout(() => child.kill("SIGKILL"), 20_000);
  try {
    const { code, stdout, stderr } = await child.output();
    const decoder = new TextDecoder();
    return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
  } finally {
    clearTimeout(guard);
  }
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "clicker-main-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function negotiate(url: string, token: string): Promise<number> {
  const response = await fetch(new URL("game/negotiate?negotiateVersion=1", url), {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
  await response.body?.cancel();
  return response.status;
}

Deno.test("main.ts prints the URL with the port it got for PORT=0, and serves there", async () => {
  const server = await spawnServer();
  try {
    const line = server.output().split("\n").find((l) => l.startsWith("Listening on "));
    assert.match(line ?? "", /^Listening on http:\/\/127\.0\.0\.1:(\d+)\/$/);
    assert.notEqual(server.port, 0);
    assert.equal(server.url, `http://127.0.0.1:${server.port}/`);
    const response = await fetch(server.url + "healthz");
    assert.equal(response.status, 200);
    assert.equal((await response.json()).status, "ok");
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

Deno.test("main.ts exits 0 on SIGTERM, SIGINT and SIGHUP", async () => {
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    const server = await spawnServer();
    const code = await server.stop(signal);
    assert.equal(code, 0, `${signal}:\n${server.output()}`);
  }
});

Deno.test("main.ts exits 2 with one line naming PORT for PORT=abc", async () => {
  const { code, stdout, stderr } = await runMain({ PORT: "abc" });
  assert.equal(code, 2, stderr);
  assert.equal(stdout, "");
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0], /PORT/);
  assert.match(lines[0], /abc/);
});

Deno.test("main.ts exits 2 for an unknown flag, naming it", async () => {
  const { code, stderr } = await runMain({}, ["--no-such-flag=1"]);
  assert.equal(code, 2, stderr);
  assert.match(stderr, /--no-such-flag/);
  assert.equal(/^\s+at /m.test(stderr), false, "no stack trace");
});

Deno.test("main.ts takes flags: --port=abc exits 2 naming --port", async () => {
  const { code, stderr } = await runMain({}, ["--port=abc"]);
  assert.equal(code, 2, stderr);
  assert.match(stderr, /--port/);
});

Deno.test("main.ts exits 1 with a clear message when DATABASE_PATH is not a database", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "notes.txt");
    await Deno.writeTextFile(path, "Not a database, just some text.\n".repeat(100));
    const { code, stdout, stderr } = await runMain({ DATABASE_PATH: path });
    assert.equal(code, 1, stderr);
    assert.equal(stdout.includes("Listening"), false);
    assert.match(stderr, /not a database/);
    assert.ok(stderr.includes(path), stderr);
    assert.equal(/^\s+at /m.test(stderr), false, "no stack trace");
  });
});

Deno.test("main.ts exits 1 with a clear message when DATABASE_PATH can't be created", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "plain-file");
    await Deno.writeTextFile(file, "");
    const path = join(file, "clicker.db");
    const { code, stderr } = await runMain({ DATABASE_PATH: path });
    assert.equal(code, 1, stderr);
    assert.ok(stderr.includes(path), stderr);
    assert.equal(/^\s+at /m.test(stderr), false, "no stack trace");
  });
});

Deno.test("main.ts keeps accounts and the generated token secret across a restart", async () => {
  await withTempDir(async (dir) => {
    const databasePath = join(dir, "clicker.db");
    const first = await spawnServer({ databasePath });
    let player;
    try {
      player = await registerAndLogin(first.url);
      assert.equal(await negotiate(first.url, player.token), 200);
    } finally {
      assert.equal(await first.stop(), 0);
    }
    const second = await spawnServer({ databasePath });
    try {
      const login = await postJson(second.url + "api/account/login", {
        username: player.username,
        password: player.password,
      });
      assert.equal(login.status, 200, JSON.stringify(login.body));
      assert.equal(await negotiate(second.url, player.token), 200, "token from before restart");
      assert.equal(await negotiate(second.url, player.token + "x"), 401);
    } finally {
      assert.equal(await second.stop(), 0);
    }
  });
});

Deno.test("main.ts never prints a token or password", async () => {
  const server = await spawnServer();
  let player;
  try {
    player = await registerAndLogin(server.url);
    await negotiate(server.url, player.token);
    await fetch(server.url + `game?access_token=${player.token}`).then((r) => r.body?.cancel());
  } finally {
    await server.stop();
  }
  const output = server.output();
  assert.equal(output.includes(player.token), false, "token in the output");
  assert.equal(output.includes(player.token.split(".")[2]), false, "signature in the output");
  assert.equal(output.includes(player.password), false, "password in the output");
});

Deno.test("main.ts refuses a database another server has, in one line with its pid; the first plays on", async () => {
  const first = await spawnServer({ roundSeconds: 1 });
  try {
    const { code, stdout, stderr } = await runMain({ DATABASE_PATH: first.databasePath });
    assert.equal(code, 1, stderr);
    assert.equal(stdout.includes("Listening"), false);
    const pid = (await Deno.readTextFile(`${first.databasePath}.lock`)).trim();
    assert.deepEqual(stderr.trimEnd().split("\n"), [
      `clicker: database "${first.databasePath}" is in use by another server (pid ${pid})`,
    ]);
    // The first one never noticed: it registers players and records rounds.
    const player = await registerAndLogin(first.url);
    assert.equal(await negotiate(first.url, player.token), 200);
    const health = await fetch(first.url + "healthz");
    assert.equal(health.status, 200, await health.text());
  } finally {
    assert.equal(await first.stop(), 0, first.output());
  }
});
