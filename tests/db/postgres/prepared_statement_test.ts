import assert from "node:assert/strict";
import { preparedAs, preparedName } from "../../../src/db/postgres/prepared_statement.ts";

Deno.test("preparedName() reads the name preparedAs() gives a statement", () => {
  assert.equal(preparedName(`${preparedAs("record_round")}select 1`), "record_round");
  assert.equal(preparedName("select 1"), undefined);
  // Only a statement that opens with the comment asks to be prepared.
  assert.equal(preparedName(`select 1 ${preparedAs("record_round")}`), undefined);
});

Deno.test("preparedAs() refuses a name that is not lowercase letters and _", () => {
  for (const name of ["", "Record", "record round", "record;drop", "r1"]) {
    assert.throws(() => preparedAs(name), RangeError, name);
  }
});
