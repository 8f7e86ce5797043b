import assert from "node:assert/strict";
import {
  clearSession,
  type KeyValueStore,
  loadSession,
  saveSession,
} from "../../static/src/session_store.ts";

function memoryStore(): KeyValueStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
  };
}

Deno.test("saveSession() and loadSession() keep a login", () => {
  const store = memoryStore();
  assert.equal(loadSession(store), null);
  saveSession({ token: "t", username: "ann", expiresAt: 9 }, store);
  assert.deepEqual(loadSession(store), { token: "t", username: "ann", expiresAt: 9 });
  clearSession(store);
  assert.equal(loadSession(store), null);
});

Deno.test("loadSession() treats a damaged entry as none", () => {
  const store = memoryStore();
  store.setItem("clicker.session", "{not json");
  assert.equal(loadSession(store), null);
  store.setItem("clicker.session", JSON.stringify({ token: 3 }));
  assert.equal(loadSession(store), null);
});
