/**
 * Keeps the docs walkable: the README stays a short door, every page it
 * opens onto is on its map, each page says first what it covers, and every
 * relative link, anchors included, lands on a file and a heading that exist.
 *
 * @module
 */

import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import { githubSlug, headingAnchors, relativeLinks } from "./support/markdown.ts";

const ROOT = join(import.meta.dirname!, "..");

/** The README's size limit, in bytes: what it doesn't say, the docs do. */
const README_MAX_BYTES = 15_360;

/** The Markdown pages the project publishes: the README, `docs/` and the bench's. */
async function pages(): Promise<string[]> {
  const found = [join(ROOT, "README.md")];
  for (const folder of ["docs", "bench"]) {
    for await (const entry of Deno.readDir(join(ROOT, folder))) {
      if (entry.isFile && entry.name.endsWith(".md")) found.push(join(ROOT, folder, entry.name));
    }
  }
  return found.sort();
}

Deno.test("githubSlug() makes GitHub's anchor of a heading", () => {
  assert.equal(githubSlug("Running several servers"), "running-several-servers");
  assert.equal(githubSlug("The hub: `/game`"), "the-hub-game");
  assert.equal(
    githubSlug("Dependencies, and where we depart from the design card"),
    "dependencies-and-where-we-depart-from-the-design-card",
  );
  assert.equal(githubSlug("`SERVER_ID` and _Redis_"), "server_id-and-redis");
  assert.equal(githubSlug("Speed × 2 — [the bench](bench/README.md)"), "speed--2--the-bench");
});

Deno.test("headingAnchors() numbers repeated headings and skips code blocks", () => {
  const page = "# A\n\n## Events\n\n```sh\n# not a heading\n```\n\n### Events\n";
  assert.deepEqual([...headingAnchors(page)], ["a", "events", "events-1"]);
});

Deno.test("relativeLinks() finds links into the project, not other sites or code", () => {
  const page = [
    "See [ops](docs/operations.md#logs) and [top](#a), [site](https://example.com/x.md).",
    "`[not](a-link.md)`",
    "```",
    "[nor](this.md)",
    "```",
    "![a picture](static/assets/icon.svg)",
  ].join("\n");
  assert.deepEqual(relativeLinks(page).map(({ path, anchor, line }) => ({ path, anchor, line })), [
    { path: "docs/operations.md", anchor: "logs", line: 1 },
    { path: "", anchor: "a", line: 1 },
    { path: "static/assets/icon.svg", anchor: undefined, line: 6 },
  ]);
});

Deno.test("the README is at most 15 KiB", async () => {
  const { size } = await Deno.stat(join(ROOT, "README.md"));
  assert.ok(size <= README_MAX_BYTES, `README.md is ${size} bytes, over ${README_MAX_BYTES}`);
});

Deno.test("the README's map links every page of docs/ and the bench's", async () => {
  const readme = await Deno.readTextFile(join(ROOT, "README.md"));
  const linked = new Set(relativeLinks(readme).map((link) => join(ROOT, link.path)));
  const missing = (await pages())
    .filter((page) => page !== join(ROOT, "README.md") && !linked.has(page))
    .map((page) => relative(ROOT, page));
  assert.deepEqual(missing, [], "link these from the README's map");
});

Deno.test("each page opens with its title, then a sentence saying what it covers", async () => {
  for (const page of await pages()) {
    const [title, blank, first] = (await Deno.readTextFile(page)).split("\n");
    const name = relative(ROOT, page);
    assert.match(title, /^# \S/, `${name} starts with a title`);
    assert.equal(blank, "", `${name}: a blank line after the title`);
    assert.match(first, /^[A-Z`_*[]/, `${name}: a sentence after the title`);
  }
});

Deno.test("every relative link in the docs lands on a file and a heading that exist", async () => {
  const broken: string[] = [];
  let checked = 0;
  for (const page of await pages()) {
    const text = await Deno.readTextFile(page);
    for (const link of relativeLinks(text)) {
      checked++;
      const where = `${relative(ROOT, page)}:${link.line} [${link.text}]`;
      const target = link.path === "" ? page : join(dirname(page), decodeURIComponent(link.path));
      const info = await Deno.stat(target).catch(() => undefined);
      if (!info) {
        broken.push(`${where}: no file ${relative(ROOT, target)}`);
        continue;
      }
      if (link.anchor === undefined) continue;
      if (!info.isFile || !target.endsWith(".md")) {
        broken.push(`${where}: #${link.anchor} in a file that is not Markdown`);
      } else if (!headingAnchors(await Deno.readTextFile(target)).has(link.anchor)) {
        broken.push(`${where}: no heading #${link.anchor} in ${relative(ROOT, target)}`);
      }
    }
  }
  assert.deepEqual(broken, []);
  assert.ok(checked >= 10, `only ${checked} links checked: the pages link too little to be walked`);
});
