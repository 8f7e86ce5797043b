/**
 * Which files of the static folder a browser may fetch: only what the page
 * needs, named in an allow-list. Everything else there stays hidden: the
 * client's TypeScript sources (`src/`), its workspace configuration
 * (`deno.json`), and whatever is added later until it is listed here.
 *
 * @module
 */

/**
 * The page's files: exact paths, and folders (ending in `/`) whose every
 * file is public: the bundle and its source map, built into `dist/`, and
 * any images or fonts under `assets/`.
 */
export const PUBLIC_FILES: readonly string[] = Object.freeze([
  "/index.html",
  "/style.css",
  "/dist/",
  "/assets/",
]);

/**
 * Whether `path`, normalised as `readPath()` reads it and case included,
 * names a public file: one listed, or one under a listed folder, with no
 * hidden part (a name starting with a dot, such as a build's scratch folder).
 */
export function isPublicFile(path: string, allowed: readonly string[] = PUBLIC_FILES): boolean {
  if (path.endsWith("/") || path.split("/").some((part) => part.startsWith("."))) return false;
  return allowed.some((entry) => entry.endsWith("/") ? path.startsWith(entry) : path === entry);
}
