/**
 * Players and their all-time wins, as functions taking the database first.
 *
 * @module
 */

import type { Kysely } from "kysely";
import type { Database, Player } from "./schema.ts";
import type { LeaderboardEntry } from "../hub/wire.ts";
import { usernameKey } from "../auth/username_key.ts";
import { equalsIgnoringCase, isUniqueViolation } from "./dialect.ts";

/** The outcome of {@linkcode createPlayer}. */
export type CreatePlayerResult =
  | { readonly ok: true; readonly id: number }
  | { readonly ok: false; readonly taken: "username" | "email" };

/** What registration stores. */
export interface PlayerInput {
  readonly username: string;
  readonly email: string;
  readonly passwordHash: string;
  readonly createdAt: number;
}

/**
 * Inserts a player; a username or email already taken (in any case, or a
 * username that reads like a taken one) is a result, not an error, and the
 * unique indexes make two racing inserts safe.
 */
export async function createPlayer(
  db: Kysely<Database>,
  input: PlayerInput,
): Promise<CreatePlayerResult> {
  try {
    const row = await db.insertInto("players").values({
      username: input.username,
      username_key: usernameKey(input.username),
      email: input.email,
      password_hash: input.passwordHash,
      created_at: input.createdAt,
    }).returning("id").executeTakeFirstOrThrow();
    return { ok: true, id: row.id };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // The colliding row is there to be found: the same conditions as the unique
    // indexes name the value it holds. Players are never deleted, so it stays.
    const taken = await findTaken(db, input);
    if (taken === undefined) throw error;
    return { ok: false, taken };
  }
}

/**
 * Which of a new player's username (read alike, see `usernameKey`) and email
 * (any case) is taken, or `undefined`: a cheap query that spares a password
 * hash for most refusals. Only the insert in {@linkcode createPlayer} is
 * authoritative.
 */
export async function findTaken(
  db: Kysely<Database>,
  input: Pick<PlayerInput, "username" | "email">,
): Promise<"username" | "email" | undefined> {
  const key = usernameKey(input.username);
  // At most three rows: the unique indexes allow one per condition.
  const rows = await db.selectFrom("players")
    .select(["username", "username_key"])
    .where((eb) =>
      eb.or([
        eb("username_key", "=", key),
        equalsIgnoringCase(db, eb, "username", input.username),
        equalsIgnoringCase(db, eb, "email", input.email),
      ])
    )
    .execute();
  if (rows.length === 0) return undefined;
  const name = input.username.toLowerCase();
  const sameName = rows.some((row) =>
    row.username_key === key || row.username.toLowerCase() === name
  );
  return sameName ? "username" : "email";
}

/**
 * The player with this username (any case, in any script), or `undefined`.
 * The databases fold only ASCII case, so a name of another script is also
 * looked up by its look-alike key, and the case is compared here.
 */
export async function findPlayerByUsername(
  db: Kysely<Database>,
  username: string,
): Promise<Player | undefined> {
  // At most two rows: the unique indexes allow one per condition.
  const rows = await db.selectFrom("players").selectAll()
    .where((eb) =>
      eb.or([
        equalsIgnoringCase(db, eb, "username", username),
        eb("username_key", "=", usernameKey(username)),
      ])
    )
    .execute();
  const lower = username.toLowerCase();
  return rows.find((row) => row.username === username) ??
    rows.find((row) => row.username.toLowerCase() === lower);
}

/** A player's all-time wins, or `undefined` for an unknown id. */
export async function winsOf(db: Kysely<Database>, id: number): Promise<number | undefined> {
  const row = await db.selectFrom("players").select("nb_wins").where("id", "=", id)
    .executeTakeFirst();
  return row?.nb_wins;
}

/** Players with the most wins first (then the earliest registered). */
export async function leaderboard(
  db: Kysely<Database>,
  limit: number,
): Promise<LeaderboardEntry[]> {
  return await db.selectFrom("players")
    .select(["username", "nb_wins as nbWins"])
    .where("nb_wins", ">", 0)
    .orderBy("nb_wins", "desc").orderBy("id", "asc")
    .limit(limit).execute();
}
