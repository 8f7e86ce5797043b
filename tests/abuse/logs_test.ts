/**
 * No secrets in the logs of the real server (`main.ts` in a child process):
 * tokens in URLs are redacted however they are spelled, and no password,
 * password hash, token or token secret is ever printed.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { spawnServer } from "../support/spawn_server.ts";
import { postJson, registerAndLogin } from "../support/accounts.ts";
import { openHub } from "./hub_socket.ts";

Deno.test("logs: access lines redact access_token; no password, hash or token is printed", async () => {
  const secret = "s3cret-".repeat(6);
  const server = await spawnServer({ roundSeconds: 1, env: { JWT_SECRET: secret } });
  let output = "";
  let player!: Awaited<ReturnType<typeof registerAndLogin>>;
  try {
    const url = server.url;
    player = await registerAndLogin(url);
    const hub = await openHub(url, player.token);
    await hub.invoke("Increment");
    await hub.close();
    // The same token under other spellings the router understands, and in failing requests.
    const paths = [
      `game?%61ccess_token=${player.token}`,
      `game?access%5Ftoken=${player.token}`,
      `game?id=1&access_token=${player.token}`,
      `game?access_token=${player.token}x`,
      `game/negotiate?negotiateVersion=1&access_token=${player.token}`,
      `api/leaderboard?access_token=${player.token}`,
    ];
    for (const path of paths) {
      const response = await fetch(url + path, {
        method: path.includes("negotiate") ? "POST" : "GET",
      });
      await response.body?.cancel();
    }
    await fetch(url + "game", { headers: { authorization: `Bearer ${player.token}` } })
      .then((r) => r.body?.cancel());
    assert.equal(
      (await postJson(url + "api/account/login", {
        username: player.username,
        password: "wrong-password-123",
      })).status,
      401,
    );
    // Wait for a round to end, so the round loop has written and logged what it logs.
    const watcher = await openHub(url, player.token);
    await watcher.waitFor((r) => r.target === "EndRound");
    await watcher.close();
  } finally {
    assert.equal(await server.stop(), 0);
    output = server.output();
  }
  const db = new DatabaseSync(server.databasePath, { readOnly: true });
  const { password_hash: hash } = db.prepare("select password_hash from players where username = ?")
    .get(player.username) as { password_hash: string };
  db.close();

  assert.match(output, /access_token=\[redacted\]/);
  assert.match(output, /%61ccess_token=\[redacted\]/);
  const [, , signature] = player.token.split(".");
  for (
    const [what, value] of [
      ["token", player.token],
      ["token signature", signature],
      ["password", player.password],
      ["wrong password", "wrong-password-123"],
      ["password hash", hash],
      ["token secret", secret],
    ]
  ) {
    assert.ok(!output.includes(value), `the log shows the ${what}:\n${output}`);
  }
  assert.doesNotMatch(output, /\$argon2id\$/);
});
