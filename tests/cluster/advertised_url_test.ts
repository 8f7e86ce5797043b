import assert from "node:assert/strict";
import { advertisedUrl } from "../../src/cluster/advertised_url.ts";

Deno.test("advertisedUrl() is ADVERTISE_URL when it is set", () => {
  assert.equal(advertisedUrl("http://10.0.0.5:9000", "0.0.0.0", 8001), "http://10.0.0.5:9000");
});

Deno.test("advertisedUrl() is the address listened on, 127.0.0.1 for a wildcard", () => {
  assert.equal(advertisedUrl(undefined, "127.0.0.1", 8001), "http://127.0.0.1:8001");
  assert.equal(advertisedUrl(undefined, "10.1.2.3", 80), "http://10.1.2.3");
  assert.equal(advertisedUrl(undefined, "0.0.0.0", 8002), "http://127.0.0.1:8002");
  assert.equal(advertisedUrl(undefined, "::", 8003), "http://127.0.0.1:8003");
  assert.equal(advertisedUrl(undefined, "::1", 8004), "http://[::1]:8004");
});
