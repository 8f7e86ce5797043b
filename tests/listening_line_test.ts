import assert from "node:assert/strict";
import { formatListeningLine, parseListeningLine } from "../src/listening_line.ts";

Deno.test("formatListeningLine() prints the URL after 'Listening on'", () => {
  assert.equal(
    formatListeningLine(new URL("http://127.0.0.1:8000/")),
    "Listening on http://127.0.0.1:8000/",
  );
});

Deno.test("parseListeningLine() reads the URL back from a process's output", () => {
  const line = formatListeningLine("http://127.0.0.1:41234/");
  assert.equal(parseListeningLine(`Migrating\n${line}\nGET / 200\n`), "http://127.0.0.1:41234/");
  assert.equal(parseListeningLine(`${line}\r\n`), "http://127.0.0.1:41234/");
});

Deno.test("parseListeningLine() waits for the whole line", () => {
  assert.equal(parseListeningLine(""), undefined);
  assert.equal(parseListeningLine("Listening on http://127.0.0.1:412"), undefined);
  assert.equal(parseListeningLine("Not Listening on http://x/\n"), undefined);
});
