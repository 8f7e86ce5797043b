/**
 * Draws the race from `race_panel.ts`: the line beside the score, the race
 * panel with the player's own row marked, and the quiet live region. The
 * rows are redrawn only when they change, though `Race` may come four times
 * a second; the live region speaks only what `result_panel.ts` decides (a
 * round's result, a new place at most every few seconds), never each update.
 *
 * @module
 */

import { make, type PageElements, setAttr, setHidden, setText } from "./dom.ts";
import type { GameView } from "./game_view.ts";
import { racePanel } from "./race_panel.ts";
import type { RaceRow } from "./race_view.ts";
import { announcement } from "./result_panel.ts";
import { wholeNumber } from "./round_text.ts";

/** The rows each race list last showed, as a key, so unchanged rows are not redrawn. */
const drawnRows = new WeakMap<HTMLElement, string>();

/** Redraws the race; without one (a server that sends none) the panel stays hidden. */
export function renderRace(els: PageElements, view: GameView, localNow: number): void {
  const panel = racePanel(view, localNow);
  setText(els.announcer, announcement(view));
  setText(els.raceLine, panel?.summary ?? "");
  setHidden(els.race, panel === null);
  if (panel === null) return;
  setAttr(els.race, "data-mode", panel.mode);
  setText(els.raceCaption, panel.caption);
  setText(els.raceSummary, panel.summary);
  const key = JSON.stringify(panel.rows);
  if (drawnRows.get(els.raceList) === key) return;
  drawnRows.set(els.raceList, key);
  els.raceList.replaceChildren(...panel.rows.map(raceItem));
}

function raceItem(row: RaceRow): HTMLLIElement {
  const item = make("li", "", row.me ? "racer me" : "racer");
  item.dataset.rank = String(row.rank);
  const rank = make("span", String(row.rank), `rank rank-${row.rank}`);
  rank.setAttribute("aria-label", `Place ${row.rank}`);
  item.append(
    rank,
    make("span", row.username, "leader-name"),
    make("span", wholeNumber(row.score), "racer-score"),
  );
  return item;
}
