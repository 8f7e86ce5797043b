/**
 * Turns mouse, touch and keyboard presses into clicks. A press counts when
 * it goes down (no waiting for the release), Space and Enter count once per
 * press however long the key is held (auto-repeat is ignored), and a click
 * from assistive technology still counts.
 *
 * @module
 */

import type { PageElements } from "./dom.ts";

const KEY_CLICK_GRACE_MS = 500;

/** Calls `onClick` for every press of the click button; returns a function that unbinds. */
export function bindClickInput(els: PageElements, onClick: () => void): () => void {
  const button = els.clickButton;
  let lastKeyClick = -Infinity;

  const press = () => {
    if (button.disabled || els.gameScreen.hidden) return;
    onClick();
    button.classList.remove("pressed");
    void button.offsetWidth;
    button.classList.add("pressed");
  };

  const onPointerDown = (event: PointerEvent) => {
    if (event.pointerType === "mouse" && event.button !== 0) return;
    press();
  };

  // Pointer presses were counted on pointerdown; only a click with no pointer
  // behind it (detail 0: a screen reader or switch device) counts here.
  const onButtonClick = (event: MouseEvent) => {
    if (event.detail === 0 && performance.now() - lastKeyClick > KEY_CLICK_GRACE_MS) press();
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== " " && event.key !== "Enter") return;
    if (els.gameScreen.hidden) return;
    if (event.ctrlKey || event.altKey || event.metaKey || !wantsGameKeys(event.target, button)) {
      return;
    }
    event.preventDefault();
    if (event.repeat) return;
    lastKeyClick = performance.now();
    press();
  };

  const onKeyUp = (event: KeyboardEvent) => {
    const key = event.key === " " || event.key === "Enter";
    if (key && !els.gameScreen.hidden && wantsGameKeys(event.target, button)) {
      event.preventDefault();
    }
  };

  button.addEventListener("pointerdown", onPointerDown);
  button.addEventListener("click", onButtonClick);
  button.addEventListener("contextmenu", (event) => event.preventDefault());
  document.addEventListener("keydown", onKeyDown);
  document.addEventListener("keyup", onKeyUp);
  return () => {
    button.removeEventListener("pointerdown", onPointerDown);
    button.removeEventListener("click", onButtonClick);
    document.removeEventListener("keydown", onKeyDown);
    document.removeEventListener("keyup", onKeyUp);
  };
}

/** Space and Enter click unless the focus is on a control that has its own use for them. */
function wantsGameKeys(target: EventTarget | null, clickButton: HTMLElement): boolean {
  if (target === clickButton) return true;
  if (!(target instanceof HTMLElement)) return true;
  if (target.isContentEditable) return false;
  return target.closest("input, textarea, select, button, a[href], [role=tab]") === null;
}
