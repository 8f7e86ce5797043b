/**
 * Builds the web client (`deno task build:client`): bundles
 * `static/src/main.ts` with `deno bundle` (minified, with a linked source
 * map), writes it under a name that carries a hash of its content,
 * `static/dist/app-<hash>.js` and its `.map`, then `static/dist/manifest.json`
 * naming it, which the server reads to rewrite the page's `/dist/app.js`;
 * bundles of earlier builds are removed. A browser may so keep a bundle for
 * good: a new build is a new name.
 *
 * `--watch` builds again whenever the client's sources or the server modules
 * it imports change (`deno task dev`).
 *
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { errorMessage } from "./log/error_message.ts";

const ROOT = join(import.meta.dirname!, "..");
const DIST = join(ROOT, "static", "dist");
const ENTRY = join(ROOT, "static", "src", "main.ts");
/** What the bundle is built from: a change here calls for a new build. */
const WATCHED = [join(ROOT, "static", "src"), join(ROOT, "src")];

/** Builds once; resolves with the bundle's URL path, e.g. `/dist/app-0123456789.js`. */
export async function buildClient(options: { minify?: boolean } = {}): Promise<string> {
  await Deno.mkdir(DIST, { recursive: true });
  const scratch = await Deno.makeTempDir({ dir: DIST, prefix: ".build-" });
  try {
    const out = join(scratch, "app.js");
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--platform",
        "browser",
        ...(options.minify === false ? [] : ["--minify"]),
        "--sourcemap=linked",
        "-o",
        out,
        ENTRY,
      ],
      cwd: ROOT,
      stdout: "inherit",
      stderr: "piped",
    }).output();
    if (code !== 0) {
      throw new Error(`deno bundle failed:\n${new TextDecoder().decode(stderr)}`);
    }
    const script = await Deno.readTextFile(out);
    const map = await Deno.readTextFile(`${out}.map`);
    const hash = createHash("sha256").update(script).update(map).digest("hex").slice(0, 12);
    const name = `app-${hash}.js`;
    const linked = script.replace(/\/\/# sourceMappingURL=\S+\s*$/, "") +
      `//# sourceMappingURL=${name}.map\n`;
    await Deno.writeTextFile(join(DIST, name), linked);
    await Deno.writeTextFile(join(DIST, `${name}.map`), map);
    // Written whole, then renamed: the server never reads half a manifest.
    const manifest = join(scratch, "manifest.json");
    await Deno.writeTextFile(manifest, JSON.stringify({ "app.js": `/dist/${name}` }) + "\n");
    await Deno.rename(manifest, join(DIST, "manifest.json"));
    for await (const entry of Deno.readDir(DIST)) {
      const old = /^app(?:-[0-9a-f]+)?\.js(?:\.map)?$/.test(entry.name) &&
        !entry.name.startsWith(name);
      if (old) await Deno.remove(join(DIST, entry.name));
    }
    return `/dist/${name}`;
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
}

/** Builds, then builds again after each burst of changes to the sources. */
async function watch(): Promise<void> {
  console.log(`Built ${await buildClient({ minify: false })}`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let building = Promise.resolve();
  for await (const _ of Deno.watchFs(WATCHED)) {
    clearTimeout(timer);
    timer = setTimeout(() => {
      building = building.then(() => buildClient({ minify: false })).then(
        (path) => console.log(`Built ${path}`),
        (error) => console.error(errorMessage(error)),
      );
    }, 100);
  }
}

if (import.meta.main) {
  if (Deno.args.includes("--watch")) await watch();
  else await buildClient();
}
