/**
 * Recording a round on PostgreSQL in one statement: the round, its winners,
 * a win for each, every player's score and the dropped checkpoint, as
 * data-modifying `with` clauses that the statement applies together or not
 * at all. The same unit of work as `recordRound`'s transaction, in one round
 * trip to the database instead of one per statement plus `begin` and
 * `commit`: the leader of several servers announces a round only once its
 * record committed, and on a busy machine every round trip waits its turn.
 *
 * @module
 */

import { type Kysely, sql } from "kysely";
import type { ClosedRound } from "../../game/game_state.ts";
import type { Database } from "../schema.ts";
import { preparedAs } from "./prepared_statement.ts";

/** The statement is prepared once per connection: it runs every round, on the way to `EndRound`. */
const PREPARED = preparedAs("record_round");

/**
 * Records `round` unless a round of its id is recorded already (then
 * nothing changes, not a win); returns whether this call recorded it.
 */
export async function recordRoundAtOnce(
  db: Kysely<Database>,
  round: ClosedRound,
): Promise<boolean> {
  const winners = round.winners.map((winner) => winner.id);
  const players = round.scores.map((score) => score.id);
  const scores = round.scores.map((score) => score.score);
  const ranks = round.scores.map((score) => score.rank);
  const { rows } = await sql<{ recorded: number }>`${sql.raw(PREPARED)}
    with inserted as (
      insert into rounds (id, started_at, ended_at, nb_clicks, players)
      values (${round.id}, ${round.startedAt}, ${round.endedAt}, ${round.nbClicks},
        ${round.players})
      on conflict (id) do nothing
      returning id
    ), winners as (
      insert into round_winners (round_id, player_id)
      select inserted.id, winner.id from inserted, unnest(${winners}::integer[]) as winner(id)
    ), wins as (
      update players set nb_wins = nb_wins + 1
      where id = any(${winners}::integer[]) and exists (select 1 from inserted)
    ), scores as (
      insert into round_scores (round_id, player_id, score, rank)
      select inserted.id, s.player_id, s.score, s.rank from inserted,
        unnest(${players}::integer[], ${scores}::bigint[], ${ranks}::integer[])
          as s(player_id, score, rank)
    ), dropped as (
      delete from round_checkpoints where round_id = ${round.id}
    )
    select count(*)::integer as recorded from inserted
  `.execute(db);
  return rows[0].recorded === 1;
}
