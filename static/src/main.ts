/**
 * Entry point of the browser client, loaded by `index.html` as
 * `/dist/app.js` once `deno task build:client` has bundled it. Builds the
 * app from the page and the browser, and starts it.
 *
 * @module
 */

import { App } from "./app.ts";
import { findElements } from "./dom.ts";

function main(): void {
  const app = new App({
    els: findElements(document),
    window,
    storage: localStorage,
    fetch: (input, init) => fetch(input, init),
  });
  void app.start();
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", main, { once: true });
} else {
  main();
}
