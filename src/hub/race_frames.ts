/**
 * The `Race` messages of one state of the race. What every watcher shares
 * (the round, the top, how many scored) is encoded once per protocol, the
 * first time a watcher speaking it needs it; each watcher's message is that
 * head with its own `you` appended. Watchers whose `you` is alike (players
 * who have not scored, tabs of one player) get the same message, so a
 * transport frames it once for all of them.
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
  readonly #made = new Map<HubProtocol, Map<string, SharedFrame>>();

  constructor(race: SharedRace) {
    this.race = race;
  }

  /**
   * The message to a connection speaking `protocol` whose player stands at
   * `you`: the same one for every `you` alike, until {@linkcode clear}.
   */
  frame(protocol: HubProtocol, you: RaceYou): SharedFrame {
    let made = this.#made.get(protocol);
    if (made === undefined) {
      made = new Map();
      this.#made.set(protocol, made);
    }
    const key = `${you.score} ${you.rank}`;
    let frame = made.get(key);
    if (frame === undefined) {
      let ending = this.#endings.get(protocol);
      if (ending === undefined) {
        ending = protocol.encodeSharedRace(this.race);
        this.#endings.set(protocol, ending);
      }
      frame = new SharedFrame(ending(you));
      made.set(key, frame);
    }
    return frame;
  }

  /** Lets go of the messages made so far (they are sent); the encoded shared part stays. */
  clear(): void {
    this.#made.clear();
  }
}
