import assert from "node:assert/strict";
import {
  clearSession,
  type KeyValueStore,
  loadSession,
  parseSession,
  saveSession,
  SESSION_KEY,
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

Deno.test("saveSession() keeps no token when the sign-in cookie carries it", () => {
  const store = memoryStore();
  saveSession({ token: null, username: "ann", expiresAt: 9 }, store);
  assert.deepEqual(loadSession(store), { token: null, username: "ann", expiresAt: 9 });
  assert.doesNotMatch(store.map.get(SESSION_KEY)!, /"token":"/);
});

Deno.test("loadSession() treats a damaged entry as none", () => {
  const store = memoryStore();
  store.setItem(SESSION_KEY, "{not json");
  assert.equal(loadSession(store), null);
  store.setItem(SESSION_KEY, JSON.stringify({ token: 3 }));
  assert.equal(loadSession(store), null);
  assert.equal(parseSession(JSON.stringify({ token: "t", username: "a" })), null);
});

Deno.test("loadSession() and saveSession() survive a storage that refuses", () => {
  const refusing: KeyValueStore = {
    getItem: () => {
      throw new Error("denied");
    },
    setItem: () => {
      throw new Error("denied");
    },
    removeItem: () => {
      throw new Error("denied");
    },
  };
  assert.equal(loadSession(refusing), null);
  saveSession({ token: "t", username: "ann", expiresAt: 9 }, refusing);
  clearSession(refusing);
});
