/**
 * The one line the server prints once it listens, `Listening on <url>`, and
 * its reader: whatever starts the server as a child process (tests, the
 * bench) learns the chosen port from it. Pure; no I/O.
 *
 * @module
 */

const PREFIX = "Listening on ";
// The line must be complete: output read in chunks may stop in the middle of the URL.
const LINE = /(?:^|\n)Listening on (https?:\/\/\S+)\r?\n/;

/** The line to print once the server listens at `url`. */
export function formatListeningLine(url: URL | string): string {
  return PREFIX + (typeof url === "string" ? url : url.href);
}

/**
 * The URL in the first `Listening on` line of `output` (everything a process
 * printed so far), or `undefined` while no such line has come.
 */
export function parseListeningLine(output: string): string | undefined {
  return LINE.exec(output)?.[1];
}
