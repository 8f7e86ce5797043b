import assert from "node:assert/strict";
import {
  CloseReason,
  encodeRecord,
  isCloseReason,
  JSON_HANDSHAKE,
  RECORD_SEPARATOR,
  splitRecords,
} from "../../src/hub/wire.ts";

Deno.test("splitRecords() returns whole records and keeps the unfinished rest", () => {
  assert.deepEqual(splitRecords("", '{"type":6}\x1e{"type":1,'), {
    records: ['{"type":6}'],
    rest: '{"type":1,',
  });
  assert.deepEqual(splitRecords('{"type":1,', '"target":"X"}\x1e\x1e'), {
    records: ['{"type":1,"target":"X"}'],
    rest: "",
  });
});

Deno.test("encodeRecord() ends a record with \\x1e", () => {
  assert.equal(RECORD_SEPARATOR, "\x1e");
  assert.equal(encodeRecord(JSON_HANDSHAKE), '{"protocol":"json","version":1}\x1e');
  assert.deepEqual(splitRecords("", encodeRecord({ a: 1 }) + encodeRecord([2])).records, [
    '{"a":1}',
    "[2]",
  ]);
});

Deno.test("isCloseReason() accepts the listed codes only", () => {
  for (const code of Object.values(CloseReason)) assert.equal(isCloseReason(code), true, code);
  for (const other of ["Token expired", "", 7, undefined, null, "TOKEN-EXPIRED"]) {
    assert.equal(isCloseReason(other), false, String(other));
  }
});
