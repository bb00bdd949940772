// docs/RELIABILITY.md group U: API misuse and bad input. Every refusal happens before a byte reaches the
// wire; canary servers prove it. (U11/U12 are also covered by the core tests in test/common.)
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ClientClosedError, ConfigError, Connection, ConnectionUserAndKey, settings,
} from "../../src/index.js";
import fc from "fast-check";
import { joinActionPath, resolveActionPath } from "../../src/common/base/http-message.js";
import { startServer, type TestServer } from "../helpers/server.js";
import { assertTyped, rejection } from "./assert.js";

async function canary(): Promise<TestServer> {
  return startServer((req, res) => void res.end(req.url));
}

function to(server: TestServer): Connection {
  return new Connection({ host: "127.0.0.1", port: server.port, secure: false, timeout: 2000 });
}

test("U1: header values with CR, LF or NUL (also via toString, Symbol.toPrimitive, arrays; Host and Content-Type) → TypeError before the wire", { timeout: 5000 }, async () => {
  const server = await canary();
  const conn = to(server);
  try {
    const values: unknown[] = ["a\r\nX-Injected: 1", "a\nb", "a\rb", "a\0b", { toString: () => "a\r\nb" }, { [Symbol.toPrimitive]: () => "x\r\ny" }, ["a", "b"], { a: 1 }];
    for (const value of values) {
      for (const name of ["X-Custom", "Content-Type"]) {
        const err = await rejection(() => conn.request("/", { headers: { [name]: value } as never }));
        assert.ok(err instanceof TypeError, `${name}: ${String(err)}`);
      }
    }
    assert.equal(server.requests.length, 0, "the canary saw nothing");
    // Host is always set by the pipeline (step 4), so a caller's Host never reaches the wire at all.
    for (const value of values) {
      await conn.request("/", { headers: { Host: value } as never }).catch((e: unknown) => assert.ok(e instanceof TypeError));
    }
    for (const seen of server.requests) assert.equal(seen.headers.host, `127.0.0.1:${server.port}`);
    const hostRequests = server.requests.length;
    const badName = await rejection(() => conn.request("/", { headers: { "X Bad\r\n": "v" } }));
    assert.ok(badName instanceof TypeError);
    assert.equal(server.requests.length, hostRequests, "the canary saw nothing more");
  } finally {
    await conn.close();
    await server.close();
  }
});

test("U2: methods with CRLF or spaces → TypeError; lower case normalised to upper case", { timeout: 5000 }, async () => {
  const server = await canary();
  const conn = to(server);
  try {
    for (const method of ["GET /x HTTP/1.1\r\nX:", "GE T", "GET\n", "", "G\u00c9T"]) {
      assert.ok((await rejection(() => conn.request("/", { method }))) instanceof TypeError, JSON.stringify(method));
    }
    assert.equal(server.requests.length, 0);
    await conn.request("/", { method: "get" });
    assert.equal(server.requests[0]!.method, "GET");
  } finally {
    await conn.close();
    await server.close();
  }
});

test("U3: actions like http://evil/x, //evil/x, \\\\evil\\x, @evil, https:evil, /../.. go to the configured host (both path modes)", { timeout: 5000 }, async () => {
  const server = await canary();
  const evil = await canary();
  const actions = [`http://127.0.0.1:${evil.port}/x`, `//127.0.0.1:${evil.port}/x`, `\\\\127.0.0.1:${evil.port}\\x`, `@127.0.0.1:${evil.port}`, `https:127.0.0.1:${evil.port}`, "/../..", `/..//127.0.0.1:${evil.port}/x`];
  const saved = settings.allowPathDoubleSlashes;
  const conn = to(server);
  try {
    for (const allow of [false, true]) {
      settings.allowPathDoubleSlashes = allow;
      for (const action of actions) await conn.request(action);
    }
    assert.equal(evil.requests.length, 0, "the evil server received nothing");
    assert.equal(server.requests.length, actions.length * 2);
    for (const seen of server.requests) {
      assert.ok(seen.url.startsWith("/"), seen.url);
      assert.ok(!seen.url.includes("\\"), "backslashes are percent-encoded");
    }
  } finally {
    settings.allowPathDoubleSlashes = saved;
    await conn.close();
    await server.close();
    await evil.close();
  }
});

test("U4: non-ASCII paths → percent-encoded UTF-8 on the wire, never latin1-truncated into CR/LF", { timeout: 5000 }, async () => {
  const server = await canary();
  const conn = to(server);
  try {
    await conn.request("/ünï");
    await conn.request("/\u010D\u010A"); // latin1 truncation would turn these into \r\n
    assert.deepEqual(server.requests.map((r) => r.url), ["/%C3%BCn%C3%AF", "/%C4%8D%C4%8A"]);
  } finally {
    await conn.close();
    await server.close();
  }
});

test("U5: params as a dict and as pairs (arrays, null/undefined, Unicode, reserved characters) → deterministic; cache busting only on GET", { timeout: 5000 }, async () => {
  const server = await canary();
  const conn = to(server);
  try {
    await conn.request("/q", { params: { a: [1, 2], b: null, c: undefined, d: "é &=+/?", e: true } });
    await conn.request("/q", { params: [["a", "1"], ["a", "2"], ["z", null], ["ü", "x y"]] });
    assert.deepEqual(server.requests.map((r) => r.url), ["/q?a=1&a=2&d=%C3%A9+%26%3D%2B%2F%3F&e=True", "/q?a=1&a=2&%C3%BC=x+y"]);
    assert.ok(!server.requests.some((r) => r.url.includes("undefined") || r.url.includes("null")));
    conn.cacheBusting = true;
    await conn.request("/cb", { params: { a: "1" } });
    await conn.request("/cb", { params: [["a", "1"]] });
    await conn.request("/cb", { method: "POST", params: { a: "1" } });
    const [dict, pairs, post] = server.requests.slice(2).map((r) => r.url);
    assert.match(dict!, /^\/cb\?a=1&cache-busting=[0-9a-f]{16}$/);
    assert.match(pairs!, /^\/cb\?a=1&cache-busting=[0-9a-f]{16}$/);
    assert.equal(post, "/cb?a=1");
  } finally {
    await conn.close();
    await server.close();
  }
});

test("U6: invalid host or port → ConfigError; IPv6 literals accepted; Host header carries the port only when not 80/443", { timeout: 5000 }, async () => {
  for (const options of [{ port: 0 }, { port: 65536 }, { port: "abc" }, { port: 1.5 }, { host: "a b" }, { host: "a\r\nb" }, { host: "a/b" }, { host: "" }, { host: "::1::zz" }]) {
    assertTyped((() => { try { return new Connection(options as never); } catch (e) { return e; } })(), ConfigError);
  }
  assert.equal(new Connection({ host: "::1", port: 8080, secure: false }).connect().host, "http://[::1]:8080");
  assert.equal(new Connection({ host: "[::1]", secure: true }).connect().host, "https://[::1]");
  const server = await canary();
  const conn = to(server);
  try {
    await conn.request("/");
    assert.equal(server.requests[0]!.headers.host, `127.0.0.1:${server.port}`);
    assert.equal(server.requests[0]!.rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === "host").length, 1);
  } finally {
    await conn.close();
    await server.close();
  }
});

test("U7: options objects parsed from JSON with __proto__ or constructor keys → refused as unknown keys; no pollution, no crash", { timeout: 5000 }, () => {
  for (const json of ['{"__proto__": {"polluted": 1}, "host": "h"}', '{"constructor": {"prototype": {"polluted": 1}}}', '{"host": "h", "__proto__": {"timeout": -1}}']) {
    const options = JSON.parse(json) as object;
    const err = (() => { try { return new Connection(options); } catch (e) { return e; } })();
    assert.ok(err instanceof TypeError, String(err));
    assert.match((err).message, /unknown option "(__proto__|constructor)"/);
  }
  assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
  assert.equal((Object.prototype as Record<string, unknown>)["timeout"], undefined);
});

test("U8: Basic-auth user or key with ':' or Unicode (or empty) → UTF-8 encoded and round-trips", { timeout: 5000 }, async () => {
  class BasicConnection extends ConnectionUserAndKey {
    static override secure = false;
    override addDefaultHeaders(headers: Record<string, string>): Record<string, string> {
      return { ...headers, Authorization: `Basic ${Buffer.from(`${this.userId}:${this.key}`, "utf8").toString("base64")}` };
    }
  }
  const server = await canary();
  try {
    for (const [user, key] of [["us:er", "k:e:y"], ["ünïcødé", "ключ🔑"], ["user", ""]] as const) {
      const conn = new BasicConnection(user, key, { host: "127.0.0.1", port: server.port });
      await conn.request("/");
      const header = server.requests.at(-1)!.headers.authorization!;
      const decoded = Buffer.from(header.slice("Basic ".length), "base64").toString("utf8");
      assert.equal(decoded, `${user}:${key}`);
      await conn.close();
    }
    // Whether an empty secret is acceptable is the driver's call (a driver that needs one checks it).
  } finally {
    await server.close();
  }
});

test("U9: request() after close() → ClientClosedError; close() twice is a no-op", { timeout: 5000 }, async () => {
  const server = await canary();
  const conn = to(server);
  try {
    await conn.request("/");
    await conn.close();
    await conn.close();
    assertTyped(await rejection(() => conn.request("/")), ClientClosedError, "ERR_CLIENT_CLOSED");
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});

test("U10: numeric header values are stringified; Buffer and object values are refused", { timeout: 5000 }, async () => {
  const server = await canary();
  const conn = to(server);
  try {
    await conn.request("/", { method: "PUT", data: "hello", headers: { "Content-Length": 5, "X-Count": 1.5 } });
    assert.equal(server.requests[0]!.headers["content-length"], "5");
    assert.equal(server.requests[0]!.headers["x-count"], "1.5");
    for (const value of [Buffer.from("x"), { x: 1 }, Symbol("s"), () => "f", NaN]) {
      assert.ok((await rejection(() => conn.request("/", { headers: { "X-Bad": value } as never }))) instanceof TypeError);
    }
    assert.equal(server.requests.length, 1);
  } finally {
    await conn.close();
    await server.close();
  }
});

test("U11: morphActionHook parity table with and without allowPathDoubleSlashes (libcloud: test_morph_action_hook)", () => {
  const table: Array<[string, string, string, string]> = [
    // requestPath, action, normalised, plain concatenation
    ["", "/test", "/test", "/test"],
    ["", "test", "/test", "/test"],
    ["/v1", "/test", "/v1/test", "/v1/test"],
    ["v1", "test", "/v1/test", "/v1test"],
    ["/v1/", "/test", "/v1/test", "/v1//test"],
    ["/a", "//b/c.txt", "/a/b/c.txt", "/a//b/c.txt"],
    ["/b", "/foo//", "/b/foo/", "/b/foo//"],
    ["/", "/", "/", "//"],
    ["", "/", "/", "/"],
  ];
  for (const [requestPath, action, normal, plain] of table) {
    assert.equal(joinActionPath(requestPath, action, false), normal, `${requestPath} + ${action}`);
    assert.equal(joinActionPath(requestPath, action, true), plain, `${requestPath} + ${action} (double slashes)`);
  }
});

test("U11: joinActionPath's fast path (plain absolute paths) agrees with segment-by-segment resolution", () => {
  const part = fc.array(fc.constantFrom("/", ".", "..", "a", "b.c", "%2F", ""), { maxLength: 7 }).map((p) => p.join(""));
  fc.assert(fc.property(part, part, fc.constantFrom("", "?x=/../y", "?"), (requestPath, pathPart, query) => {
    assert.equal(joinActionPath(requestPath, pathPart + query, false), resolveActionPath(requestPath, pathPart) + query);
  }), { numRuns: 2000 });
});

test("U12: url and requestPath merging — url http://host:port/v1/ + /test → /v1/test (libcloud: test_connection_url_merging)", { timeout: 5000 }, async () => {
  const server = await canary();
  try {
    const conn = new Connection({ url: `http://127.0.0.1:${server.port}/v1/` });
    assert.equal(conn.requestPath, "/v1/");
    assert.equal(conn.connect().host, `http://127.0.0.1:${server.port}`);
    await conn.request("/test");
    await conn.request("test");
    assert.deepEqual(server.requests.map((r) => r.url), ["/v1/test", "/v1/test"]);
    await conn.close();
  } finally {
    await server.close();
  }
});
