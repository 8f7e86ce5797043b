/**
 * Reads the game's SQLite file directly, for tests that check what a crash
 * or a shutdown left behind. Each call opens and closes its own connection.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";

/** What the database holds about rounds and wins. */
export interface Rows {
  readonly rounds: { id: number; nb_clicks: number; players: number }[];
  readonly winners: { round_id: number; username: string }[];
  readonly players: { username: string; nb_wins: number }[];
  readonly checkpoints: {
    round_id: number;
    ends_at: number;
    standings: { username: string; score: number; multiplier: number }[];
  }[];
}

/** Every round, winner, player and checkpoint in the file at `path`. */
export function readRows(path: string): Rows {
  const db = new DatabaseSync(path, { timeout: 2000 });
  try {
    // Spread into plain objects: node:sqlite's rows have a null prototype.
    const all = <T>(sql: string) => db.prepare(sql).all().map((row) => ({ ...row })) as T[];
    return {
      rounds: all("select id, nb_clicks, players from rounds order by id"),
      winners: all(
        "select round_id, username from round_winners join players on players.id = player_id" +
          " order by round_id, username",
      ),
      players: all("select username, nb_wins from players order by id"),
      checkpoints: all<{ round_id: number; ends_at: number; standings: string }>(
        "select round_id, ends_at, standings from round_checkpoints order by round_id",
      ).map((row) => ({ ...row, standings: JSON.parse(row.standings) })),
    };
  } finally {
    db.close();
  }
}

/** A player's all-time wins as stored. */
export function winsOf(rows: Rows, username: string): number | undefined {
  return rows.players.find((p) => p.username === username)?.nb_wins;
}

/**
 * Checks what must hold whatever the timing of a crash: no round recorded
 * twice, and every player's win count equal to the rounds they won.
 */
export function assertWinsConsistent(rows: Rows): void {
  const ids = rows.rounds.map((r) => r.id);
  if (new Set(ids).size !== ids.length) throw new Error(`a round was recorded twice: ${ids}`);
  for (const player of rows.players) {
    const won = rows.winners.filter((w) => w.username === player.username).length;
    if (won !== player.nb_wins) {
      throw new Error(`${player.username} has ${player.nb_wins} wins but won ${won} rounds`);
    }
  }
  for (const checkpoint of rows.checkpoints) {
    if (ids.includes(checkpoint.round_id)) {
      throw new Error(`round ${checkpoint.round_id} is both recorded and saved in progress`);
    }
  }
}

/** Polls the file until `check` holds (10 s at most). */
export async function untilRows(path: string, check: (rows: Rows) => boolean): Promise<Rows> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const rows = readRows(path);
    if (check(rows)) return rows;
    if (Date.now() > deadline) {
      throw new Error(`the database never got there: ${JSON.stringify(rows)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
