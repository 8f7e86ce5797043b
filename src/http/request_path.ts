/**
 * The one reading of a request's path, on which every decision about it is
 * made: routing, the hidden files, the file looked up. The path is
 * percent-decoded once, backslashes read as slashes, empty and `.` segments
 * dropped and `..` segments resolved without climbing above the root. Every
 * spelling of a path (`/%73rc/app.ts`, `/dist/..%2f..%2fsrc/app.ts`,
 * `\src\app.ts`, `//src/app.ts`) so reads as the path itself, and what is
 * checked is what is looked up. Decoding happens once, never twice:
 * `/%2573rc` reads `/%73rc`, a name with a percent sign in it.
 *
 * @module
 */

/**
 * The path of `url` (absolute, as `Request.url` is), read as the module
 * says; `undefined` when it cannot be read: a malformed percent-escape, or a
 * control character once decoded (which has no place in a path and would
 * reach the logs).
 */
export function readPath(url: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath(url));
  } catch {
    return undefined;
  }
  // deno-lint-ignore no-control-regex -- control characters are what is refused
  if (/[\x00-\x1f\x7f]/.test(decoded)) return undefined;
  return normalisePath(decoded);
}

/**
 * A decoded path with backslashes read as slashes, empty and `.` segments
 * dropped, `..` segments resolved (never above the root), and a trailing
 * slash kept: it names a folder.
 */
export function normalisePath(decoded: string): string {
  const parts = decoded.replaceAll("\\", "/").split("/");
  const segments: string[] = [];
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") segments.pop();
    else segments.push(part);
  }
  const last = parts[parts.length - 1];
  const folder = segments.length > 0 && (last === "" || last === "." || last === "..");
  return "/" + segments.join("/") + (folder ? "/" : "");
}

/** The path of `url` as sent: from the first `/` after the host to the query or fragment. */
export function rawPath(url: string): string {
  const start = url.indexOf("/", url.indexOf("://") + 3);
  if (start === -1) return "/";
  const end = url.slice(start).search(/[?#]/);
  return end === -1 ? url.slice(start) : url.slice(start, start + end);
}
