/**
 * The `Race` messages of one state of the race. What every watcher shares
 * (the round, the top, how many scored) is encoded once per protocol, the
 * first time a watcher speaking it needs it; each watcher's message is that
 * head with its own `you` appended. Watchers whose player has not scored
 * (often most of them) all get one message, so a transport frames it once
 * for all of them; any other `you` is its player's own (its rank is), and
 * is encoded for it.
 *
 * @module
 */

import type { HubProtocol, RaceEnding, SharedRace } from "./protocol.ts";
import { SharedFrame } from "./shared_frame.ts";
import type { RaceYou } from "./wire.ts";

/** The `Race` messages of one round, top and player count, in every protocol. */
export class RaceFrames {
  /** The part of `Race` every watcher shares. */
  readonly race: SharedRace;
  readonly #endings = new Map<HubProtocol, RaceEnding>();
  /** The message to players who have not scored, by protocol. */
  readonly #unranked = new Map<HubProtocol, SharedFrame>();

  constructor(race: SharedRace) {
    this.race = race;
  }

  /**
   * The message to a connection speaking `protocol` whose player stands at
   * `you`: one for every player who has not scored.
   */
  frame(protocol: HubProtocol, you: RaceYou): SharedFrame {
    const unranked = you.rank === null && you.score === 0;
    if (unranked) {
      const made = this.#unranked.get(protocol);
      if (made !== undefined) return made;
    }
    let ending = this.#endings.get(protocol);
    if (ending === undefined) {
      ending = protocol.encodeSharedRace(this.race);
      this.#endings.set(protocol, ending);
    }
    const frame = new SharedFrame(ending(you));
    if (unranked) this.#unranked.set(protocol, frame);
    return frame;
  }
}
