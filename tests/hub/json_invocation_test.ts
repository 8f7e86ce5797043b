import assert from "node:assert/strict";
import { quickInvocation } from "../../src/hub/json_invocation.ts";
import { parseMessage } from "../../src/hub/json_protocol.ts";
import { MAX_INVOCATION_ID_LENGTH } from "../../src/hub/protocol.ts";

/** What the full parser makes of a record that is an invocation: `JSON.parse`, then its fields. */
function parsedInvocation(record: string) {
  const value = JSON.parse(record);
  return {
    type: value.type,
    invocationId: value.invocationId ?? undefined,
    target: value.target,
    arguments: value.arguments ?? [],
  };
}

Deno.test("quickInvocation() reads the invocations clients send, as JSON.parse does", () => {
  for (
    const record of [
      // The official client: invoke, then send.
      '{"target":"Increment","arguments":[],"invocationId":"0","type":1}',
      '{"target":"Increment","arguments":[],"type":1}',
      // The page, with and without an id.
      '{"type":1,"target":"BuyMultiplier","arguments":[],"invocationId":"12"}',
      '{"type":1,"target":"WatchRace","arguments":[]}',
      // The bench.
      '{"type":1,"invocationId":"123456","target":"Increment","arguments":[]}',
      // Any other plain text in the strings: a method the hub doesn't know, ids of every kind.
      '{"type":1,"invocationId":"a b/é😀\u2028","target":"increment","arguments":[]}',
      `{"type":1,"invocationId":"${"x".repeat(MAX_INVOCATION_ID_LENGTH)}","target":"X",` +
      '"arguments":[]}',
    ]
  ) {
    const quick = quickInvocation(record);
    assert.notEqual(quick, undefined, record);
    assert.deepEqual(quick, parsedInvocation(record), record);
  }
});

Deno.test("quickInvocation() leaves every other record to the full parser", () => {
  for (
    const record of [
      "",
      "{}",
      '{"type":6}',
      '{"type":7,"error":"bye"}',
      '{"type":1,"target":"Increment"}',
      '{"type":1,"target":"Increment","arguments":[1]}',
      '{"type":1,"target":"Increment","arguments":null}',
      '{"type":1,"target":"Increment","arguments":[],"streamIds":[]}',
      '{"type":1,"invocationId":null,"target":"Increment","arguments":[]}',
      '{"type":12,"target":"Increment","arguments":[]}',
      '{"type":1.0,"target":"Increment","arguments":[]}',
      '{"type":"1","target":"Increment","arguments":[]}',
      '{"type":4,"target":"Increment","arguments":[]}',
      '{ "type":1,"target":"Increment","arguments":[]}',
      '{"type": 1,"target":"Increment","arguments":[]}',
      '{"type":1,"target":"Increment","arguments":[]} ',
      '{"type":1,"target":"Increment","arguments":[],}',
      '{"type":1,,"target":"Increment","arguments":[]}',
      '{"type":1,"target":"Incr\\u0065ment","arguments":[]}',
      '{"type":1,"target":"In\\"c","arguments":[]}',
      '{"type":1,"target":"In\tc","arguments":[]}',
      '{"type":1,"target":"","arguments":[]}',
      '{"type":1,"invocationId":"","target":"Increment","arguments":[]}',
      `{"type":1,"invocationId":"${"x".repeat(MAX_INVOCATION_ID_LENGTH + 1)}",` +
      '"target":"Increment","arguments":[]}',
      '{"type":1,"type":1,"target":"Increment","arguments":[]}',
      '{"type":1,"target":"A","target":"B","arguments":[]}',
      '{"type":1,"target":"Increment","arguments":[]}}',
      '{"type":1,"target":"Increment","arguments":[]',
      '{"type":1,"target":"Increment,"arguments":[]}',
    ]
  ) {
    assert.equal(quickInvocation(record), undefined, record);
  }
});

Deno.test("parseMessage() reads what quickInvocation() leaves as it did before", () => {
  assert.deepEqual(parseMessage('{"type":1,"target":"Incr\\u0065ment","arguments":[]}'), {
    type: 1,
    invocationId: undefined,
    target: "Increment",
    arguments: [],
  });
  assert.deepEqual(parseMessage('{ "type" : 1 , "target" : "A" , "arguments" : [ ] }'), {
    type: 1,
    invocationId: undefined,
    target: "A",
    arguments: [],
  });
  // Of a repeated field JSON.parse keeps the last.
  assert.equal(
    (parseMessage('{"type":1,"target":"A","target":"B","arguments":[]}') as { target: string })
      .target,
    "B",
  );
  assert.throws(
    () => parseMessage('{"type":1,"invocationId":"","target":"Increment","arguments":[]}'),
    /invocationId must be a non-empty string/,
  );
  assert.throws(() => parseMessage('{"type":1,"target":"","arguments":[]}'), /missing target/);
  assert.throws(() => parseMessage('{"type":1,"target":"In\tc","arguments":[]}'), /not JSON/);
  assert.throws(() => parseMessage('{"type":1,"target":"A","arguments":[]}}'), /not JSON/);
});

Deno.test("quickInvocation() agrees with JSON.parse on records cut and spliced at random", () => {
  const pieces = [
    "{",
    "}",
    ",",
    '"type":1',
    '"type":',
    "1",
    '"invocationId":"',
    '"target":"',
    '"arguments":[]',
    '"',
    "Increment",
    "42",
    "\\",
    "\\u0041",
    " ",
    "\n",
    "é",
    "[",
    "]",
    ":",
  ];
  let seed = 3;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  let read = 0;
  for (let n = 0; n < 20_000; n++) {
    // Mostly well-formed records with a field or two changed, and some noise.
    let record = "{";
    const fields = [
      '"type":1',
      '"target":"Increment"',
      '"arguments":[]',
      ...(random() < 0.7 ? ['"invocationId":"7"'] : []),
    ].sort(() => random() - 0.5);
    for (const [i, field] of fields.entries()) {
      let text = field;
      if (random() < 0.15) {
        const at = Math.floor(random() * (text.length + 1));
        text = text.slice(0, at) + pieces[Math.floor(random() * pieces.length)] + text.slice(at);
      }
      if (random() < 0.05) text = text.slice(0, Math.floor(random() * text.length));
      record += (i > 0 ? "," : "") + text;
    }
    record += "}";
    const quick = quickInvocation(record);
    if (quick === undefined) continue;
    read++;
    const value = JSON.parse(record);
    assert.deepEqual(
      Object.keys(value).sort(),
      ["arguments", "target", "type", ...("invocationId" in value ? ["invocationId"] : [])].sort(),
      record,
    );
    assert.deepEqual(quick, parsedInvocation(record), record);
  }
  // The test is worth something only if many records went the quick way.
  assert.ok(read > 5_000, `only ${read} records read`);
});
