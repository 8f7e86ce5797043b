/**
 * The records clients send most, read without `JSON.parse`: an invocation
 * with no arguments, as the official client, the page and the bench write
 * it (`{"target":"Increment","arguments":[],"invocationId":"7","type":1}`,
 * its fields in any order). A click is such a record, and parsing it was
 * the largest single cost of a click in the hub.
 *
 * Only a record that is exactly those fields, with no whitespace, no escape
 * and no control character in its strings, is read here, and it reads as
 * `JSON.parse` would read it; anything else, including every record that
 * breaks the protocol, is left to the full parser, which also words the
 * errors.
 *
 * @module
 */

import { type Invocation, MAX_INVOCATION_ID_LENGTH } from "./protocol.ts";
import { MessageType } from "./wire.ts";

const TYPE = '"type":1';
const ID = '"invocationId":"';
const TARGET = '"target":"';
const ARGUMENTS = '"arguments":[]';

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SPACE = 0x20;

/**
 * Where the string that starts at `from` ends (the index of its closing
 * quote), or -1 when it holds an escape or a control character, or doesn't end.
 */
function plainStringEnd(record: string, from: number): number {
  for (let i = from; i < record.length; i++) {
    const c = record.charCodeAt(i);
    if (c === QUOTE) return i;
    if (c === BACKSLASH || c < SPACE) return -1;
  }
  return -1;
}

/**
 * The invocation `record` holds, when it is the usual shape (see the module
 * doc); `undefined` for anything else, to be read by the full parser.
 */
export function quickInvocation(record: string): Invocation | undefined {
  const last = record.length - 1;
  if (record.charCodeAt(0) !== OPEN_BRACE || record.charCodeAt(last) !== CLOSE_BRACE) {
    return undefined;
  }
  let hasType = false;
  let hasArguments = false;
  let invocationId: string | undefined;
  let target: string | undefined;
  let i = 1;
  while (true) {
    if (!hasType && record.startsWith(TYPE, i)) {
      hasType = true;
      i += TYPE.length;
    } else if (!hasArguments && record.startsWith(ARGUMENTS, i)) {
      hasArguments = true;
      i += ARGUMENTS.length;
    } else if (invocationId === undefined && record.startsWith(ID, i)) {
      const end = plainStringEnd(record, i + ID.length);
      if (end === -1) return undefined;
      invocationId = record.slice(i + ID.length, end);
      i = end + 1;
    } else if (target === undefined && record.startsWith(TARGET, i)) {
      const end = plainStringEnd(record, i + TARGET.length);
      if (end === -1) return undefined;
      target = record.slice(i + TARGET.length, end);
      i = end + 1;
    } else {
      return undefined;
    }
    if (i === last) break;
    if (record.charCodeAt(i) !== COMMA) return undefined;
    i++;
  }
  // What the full parser refuses, it also explains: an empty or overlong id, an empty target.
  if (!hasType || !hasArguments || target === undefined || target === "") return undefined;
  if (
    invocationId !== undefined &&
    (invocationId === "" || invocationId.length > MAX_INVOCATION_ID_LENGTH)
  ) {
    return undefined;
  }
  return { type: MessageType.Invocation, invocationId, target, arguments: [] };
}
