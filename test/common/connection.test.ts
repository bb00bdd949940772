// Connection facts from docs/SPEC.md and libcloud's own test_connection.py, against loopback servers.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { inspect } from "node:util";
import {
  ClientClosedError, ConfigError, Connection, ConnectionKey, ConnectionUserAndKey, JsonResponse, LibcloudError,
  settings, VERSION, type LibcloudRequest, type Params,
} from "../../src/index.js";
import { joinActionPath } from "../../src/common/base/http-message.js";
import { sendJson, startServer, type TestServer } from "../helpers/server.js";
import type { BaseDriver, ResponseClass } from "../../src/index.js";

let server: TestServer;
before(async () => {
  server = await startServer((req, res, body) => {
    sendJson(res, 200, { method: req.method, url: req.url, headers: req.headers, body: body.toString("utf8") });
  });
});
after(() => server.close());

class Echo extends Connection {
  static override secure = false;
  // Annotated: subclasses below set their own (non-generic) response classes.
  static override responseCls: ResponseClass = JsonResponse;
}

describe("constructor and class-level configuration", () => {
  test("statics are copied onto the instance; options win", () => {
    class C extends Connection {
      static override host = "api.example.com";
      static override timeout = 5000;
    }
    const a = new C();
    assert.equal(a.host, "api.example.com");
    assert.equal(a.timeout, 5000);
    assert.equal(a.secure, true);
    assert.equal(a.port, 443);
    const b = new C({ host: "other.example.com", timeout: 10, secure: false });
    assert.equal(b.host, "other.example.com");
    assert.equal(b.timeout, 10);
    assert.equal(b.port, 80);
  });

  test("defaults: host 127.0.0.1, secure, timeout 60 s, empty context and ua", () => {
    const c = new Connection();
    assert.deepEqual([c.host, c.secure, c.port, c.timeout, c.requestPath, c.connection, c.cacheBusting, c.allowInsecure],
      ["127.0.0.1", true, 443, 60_000, "", null, false, true]);
    assert.deepEqual(c.context, {});
    assert.deepEqual(c.ua, []);
  });

  test("unknown option keys throw a TypeError naming the key", () => {
    assert.throws(() => new Connection({ retry_delay: 5 } as never), (e: unknown) => e instanceof TypeError && /"retry_delay"/.test(e.message) && /retryDelay/.test(e.message));
    assert.throws(() => new ConnectionKey("k", { bogus: 1 } as never), /unknown option "bogus"/);
  });

  test("secure=false on a class that does not allow it throws (libcloud: test_dont_allow_insecure)", () => {
    class Strict extends Connection {
      static override allowInsecure = false;
    }
    assert.throws(() => new Strict({ secure: false }), (e: unknown) => e instanceof LibcloudError && /Non https connections are not allowed \(use secure=True\)/.test(e.message));
    assert.throws(() => new Strict({ url: "http://example.com" }), /Non https/);
    assert.equal(new Strict().secure, true);
  });

  test("implicit ports and secure by default (libcloud: test_implicit_port, test_secure_by_default)", () => {
    assert.equal(new Connection().port, 443);
    assert.equal(new Connection({ secure: false }).port, 80);
    assert.equal(new Connection({ port: 8443 }).secure, true);
  });

  test("url sets host, port, secure and requestPath; other schemes are refused", () => {
    const c = new Connection({ url: "http://test.com:8080/v1" });
    assert.deepEqual([c.host, c.port, c.secure, c.requestPath], ["test.com", 8080, false, "/v1"]);
    const d = new Connection({ url: "https://[::1]/" });
    assert.deepEqual([d.host, d.port, d.secure], ["::1", 443, true]);
    assert.throws(() => new Connection({ url: "ftp://test.com/" }), (e: unknown) => e instanceof ConfigError && e instanceof LibcloudError && /^Invalid scheme: "ftp"/.test(e.message));
  });

  test("U6/R13: bad host, port and durations are ConfigErrors at construction", () => {
    for (const port of [0, 65536, 1.5, Number.NaN]) assert.throws(() => new Connection({ port }), ConfigError);
    assert.throws(() => new Connection({ port: "abc" as never }), ConfigError);
    for (const host of ["a b", "a\r\nb", "a/b", "http://x"]) assert.throws(() => new Connection({ host }), ConfigError);
    for (const timeout of [0, -1, Number.NaN, Infinity, "5" as never]) assert.throws(() => new Connection({ timeout }), ConfigError);
    for (const retryDelay of [0, -1, Number.NaN, Infinity, "5" as never]) assert.throws(() => new Connection({ retryDelay }), ConfigError);
    assert.throws(() => new Connection({ backoff: 0.5 }), ConfigError);
  });
});

describe("connect()", () => {
  test("the transport's host is the origin, leaving out the scheme's own port", () => {
    assert.equal(new Connection({ host: "localhost", port: 8081 }).connect().host, "https://localhost:8081");
    assert.equal(new Connection({ host: "localhost", secure: false, port: 80 }).connect().host, "http://localhost");
    assert.equal(new Connection({ url: "http://test.com/" }).connect().host, "http://test.com");
    assert.equal(new Connection({ host: "::1", secure: false, port: 8080 }).connect().host, "http://[::1]:8080");
  });

  test("a baseUrl (argument or static) wins over host and port", () => {
    class B extends Connection {
      static override baseUrl = "http://base.example.com:9000";
    }
    assert.equal(new B({ host: "ignored.example.com" }).connect().host, "http://base.example.com:9000");
    assert.equal(new Connection().connect({ baseUrl: "https://x.example.com" }).host, "https://x.example.com");
  });

  test("request() connects when needed", async () => {
    const c = new Echo({ port: server.port });
    assert.equal(c.connection, null);
    await c.request("/");
    assert.notEqual(c.connection, null);
    await c.close();
  });

  test("U9: request() after close() fails with ClientClosedError; close() twice is a no-op", async () => {
    const c = new Echo({ port: server.port });
    await c.request("/");
    await c.close();
    await c.close();
    await assert.rejects(c.request("/"), ClientClosedError);
  });
});

describe("morphActionHook (libcloud: test_morph_action_hook)", () => {
  const table: Array<[string, string, string]> = [
    ["", "/test", "/test"],
    ["", "test", "/test"],
    ["/v1", "/test", "/v1/test"],
    ["/v1", "test", "/v1/test"],
    ["v1", "/test", "/v1/test"],
    ["v1", "test", "/v1/test"],
    ["v1/", "/test", "/v1/test"],
    ["v1/", "test", "/v1/test"],
    ["/a", "//b/c.txt", "/a/b/c.txt"],
    ["/b", "/foo//", "/b/foo/"],
    ["", "/", "/"],
    ["/", "/", "/"],
    ["", "/a/./b/../c?x=1//2", "/a/c?x=1//2"],
    ["", "http://evil/x", "/http:/evil/x"],
    ["", "//evil/x", "/evil/x"],
  ];
  for (const [requestPath, action, expected] of table) {
    test(`${JSON.stringify(requestPath)} + ${JSON.stringify(action)} → ${JSON.stringify(expected)}`, () => {
      const c = new Connection();
      c.requestPath = requestPath;
      assert.equal(c.morphActionHook(action), expected);
    });
  }

  test("with allowPathDoubleSlashes it is plain concatenation", () => {
    const facts: Array<[string, string, string]> = [["/", "/", "//"], ["", "/", "/"], ["/a", "//b/c.txt", "/a//b/c.txt"], ["", "//evil/x", "//evil/x"]];
    settings.allowPathDoubleSlashes = true;
    try {
      for (const [p, a, e] of facts) {
        const c = new Connection();
        c.requestPath = p;
        assert.equal(c.morphActionHook(a), e);
      }
    } finally {
      settings.allowPathDoubleSlashes = false;
    }
    assert.equal(joinActionPath("/a", "//b/c.txt", true), "/a//b/c.txt");
  });

  test("U12: url with a path merges with the action (libcloud: test_connection_url_merging)", async () => {
    const c = new Echo({ url: `${server.origin}/v1` });
    const r = await c.request<any>("test");
    assert.equal(r.object.url, "/v1/test");
    await c.close();
  });
});

describe("request()", () => {
  test("sends User-Agent, Accept-Encoding and Host; copies the caller's params and headers", async () => {
    const c = new Echo({ port: server.port });
    c.userAgentAppend("mytool/1.0");
    const params = { a: "1" };
    const headers = { "X-Custom": "v", "X-Num": 5 };
    const r = await c.request<any>("/path", { params, headers });
    assert.equal(r.object.url, "/path?a=1");
    assert.equal(r.object.headers["user-agent"], `libcloud-ts/${VERSION} (mytool/1.0)`);
    assert.equal(r.object.headers["accept-encoding"], "gzip,deflate");
    assert.equal(r.object.headers["host"], `127.0.0.1:${server.port}`);
    assert.equal(r.object.headers["x-num"], "5");
    assert.deepEqual(params, { a: "1" });
    assert.deepEqual(headers, { "X-Custom": "v", "X-Num": 5 });
    await c.close();
  });

  test("the User-Agent names the driver", () => {
    const c = new Connection();
    c.driver = { name: "Dummy" } as BaseDriver;
    c.userAgentAppend("t1");
    c.userAgentAppend("t2");
    assert.equal(c.userAgent(), `libcloud-ts/${VERSION} (Dummy) (t1) (t2)`);
  });

  test("query string is appended with & when the action has a ?", async () => {
    const c = new Echo({ port: server.port });
    const r = await c.request<any>("/p?x=1", { params: { y: "2 3", z: ["a", "b"], n: null, u: undefined } });
    assert.equal(r.object.url, "/p?x=1&y=2+3&z=a&z=b");
    const r2 = await c.request<any>("/p", { params: [["k", "v1"], ["k", "v2"]] });
    assert.equal(r2.object.url, "/p?k=v1&k=v2");
    await c.close();
  });

  test("U5: cache busting adds a random cache-busting parameter on GET only, for object and pair params (libcloud: test_cache_busting)", async () => {
    class Busting extends Echo {
      static override cacheBusting = true;
    }
    const c = new Busting({ port: server.port });
    const a = await c.request<any>("/", { params: { foo: "bar" } });
    assert.match(a.object.url, /^\/\?foo=bar&cache-busting=[0-9a-f]{16}$/);
    const b = await c.request<any>("/", { params: [["foo", "bar"]] });
    assert.match(b.object.url, /^\/\?foo=bar&cache-busting=[0-9a-f]{16}$/);
    assert.notEqual(a.object.url, b.object.url);
    const p = await c.request<any>("/", { method: "POST", params: { foo: "bar" } });
    assert.equal(p.object.url, "/?foo=bar");
    await c.close();
  });

  test("json is sent as JSON with its content type", async () => {
    const c = new Echo({ port: server.port });
    const r = await c.request<any>("/", { method: "POST", json: { a: [1, 2] } });
    assert.equal(r.object.body, '{"a":[1,2]}');
    assert.equal(r.object.headers["content-type"], "application/json");
    await c.close();
  });

  test("hooks run in libcloud's order, may be async, and get the request as last argument", async () => {
    const order: string[] = [];
    class Hooked extends Echo {
      override async morphActionHook(action: string, request?: LibcloudRequest): Promise<string> {
        order.push(`morph:${request!.action}`);
        return super.morphActionHook(action);
      }
      override async addDefaultParams(params: Record<string, string>, request?: LibcloudRequest) {
        order.push(`params:${request!.action}`);
        return { ...params, apiVersion: "2" };
      }
      override async addDefaultHeaders(headers: Record<string, string>, request?: LibcloudRequest) {
        order.push(`headers:${request!.method}`);
        return { ...headers, Authorization: "Bearer t" };
      }
      override async encodeData(data: unknown, request?: LibcloudRequest) {
        order.push(`encode:${String(data)}:${request!.headers["User-Agent"] === undefined ? "no-ua" : "ua"}`);
        return `<${String(data)}>`;
      }
      override async preConnectHook(params: Record<string, string>, headers: Record<string, string>, request?: LibcloudRequest): Promise<[Record<string, string>, Record<string, string>]> {
        order.push(`sign:${request!.data as string}`);
        return [params, { ...headers, "X-Signature": `${request!.method} ${request!.action}` }];
      }
    }
    const c = new Hooked({ port: server.port });
    const r = await c.request<any>("thing", { method: "post", data: "x" });
    assert.deepEqual(order, ["morph:thing", "params:/thing", "headers:POST", "encode:x:ua", "sign:<x>"]);
    assert.equal(r.object.url, "/thing?apiVersion=2");
    assert.equal(r.object.headers["x-signature"], "POST /thing");
    assert.equal(r.object.headers["authorization"], "Bearer t");
    assert.equal(r.object.body, "<x>");
    assert.equal(r.object.method, "POST");
    await c.close();
  });

  test("U1/U2/U10: bad headers and methods are refused before anything is sent", async () => {
    const c = new Echo({ port: server.port });
    const before = server.requests.length;
    await assert.rejects(c.request("/", { headers: { "X-A": "a\r\nInjected: 1" } }), TypeError);
    await assert.rejects(c.request("/", { headers: { "X-A": "a\0" } }), TypeError);
    await assert.rejects(c.request("/", { headers: { "Bad Name": "v" } }), TypeError);
    await assert.rejects(c.request("/", { headers: { "X-A": Buffer.from("x") as never } }), TypeError);
    await assert.rejects(c.request("/", { headers: { "X-A": { toString: () => "a\r\nb" } as never } }), TypeError);
    await assert.rejects(c.request("/", { method: "GET /x HTTP/1.1\r\nX:" }), TypeError);
    await assert.rejects(c.request("/", { method: "G ET" }), TypeError);
    assert.equal(server.requests.length, before, "the server saw no request");
    const r = await c.request<any>("/", { method: "get", headers: { "X-Count": 1.5 } });
    assert.equal(r.object.method, "GET");
    assert.equal(r.object.headers["x-count"], "1.5");
    await c.close();
  });

  test("unknown request option keys throw a TypeError naming the key", async () => {
    const c = new Echo({ port: server.port });
    await assert.rejects(c.request("/", { retry_failed: true } as never), /unknown option "retry_failed"/);
    await c.close();
  });

  test("U4: non-ASCII and unsafe path characters are percent-encoded as UTF-8", async () => {
    const c = new Echo({ port: server.port });
    const r = await c.request<any>("/ünï/\u010D\u010A/a b\\c");
    assert.equal(r.object.url, "/%C3%BCn%C3%AF/%C4%8D%C4%8A/a%20b%5Cc");
    await c.close();
  });
});

describe("context (libcloud: test_context_is_reset_after_request_has_finished)", () => {
  test("R15: context is visible during the request and reset after success, transport error and parse error", async () => {
    const seen: unknown[] = [];
    class Ctx extends Echo {
      override addDefaultHeaders(headers: Record<string, string>) {
        seen.push(this.context);
        return headers;
      }
    }
    const c = new Ctx({ port: server.port });
    assert.throws(() => c.setContext("nope" as never), TypeError);
    c.setContext({ job: 1 });
    await c.request("/");
    assert.deepEqual(seen.pop(), { job: 1 });
    assert.deepEqual(c.context, {});

    const dead = new Ctx({ port: 1, secure: false, timeout: 2000 });
    dead.setContext({ job: 2 });
    await assert.rejects(dead.request("/"), LibcloudError);
    assert.deepEqual(seen.pop(), { job: 2 });
    assert.deepEqual(dead.context, {});

    const bad = await startServer((_req, res) => { res.writeHead(200, { "content-type": "application/json" }); res.end("{not json"); });
    const b = new Ctx({ port: bad.port });
    b.setContext({ job: 3 });
    await assert.rejects(b.request("/"), /Failed to parse JSON/);
    assert.deepEqual(seen.pop(), { job: 3 });
    assert.deepEqual(b.context, {});
    await Promise.all([c.close(), dead.close(), b.close(), bad.close()]);
  });
});

describe("concurrency", () => {
  test("40 concurrent requests on one connection each see their own action, method, data and context", async () => {
    const slow = await startServer(async (req, res, body) => {
      await new Promise((r) => setTimeout(r, Math.random() * 20));
      sendJson(res, 200, { url: req.url, body: body.toString() });
    });
    const mismatches: string[] = [];
    class PerRequest extends Echo {
      override async addDefaultHeaders(headers: Record<string, string>, request?: LibcloudRequest) {
        const before = [this.action, this.method, this.data, this.context["i"]];
        await new Promise((r) => setTimeout(r, Math.random() * 10));
        const afterwards = [this.action, this.method, this.data, this.context["i"]];
        if (JSON.stringify(before) !== JSON.stringify(afterwards) || this.action !== request!.action) mismatches.push(JSON.stringify([before, afterwards]));
        return { ...headers, "X-Action": String(this.action), "X-I": String(this.context["i"]) };
      }
    }
    class PerRequestResponse extends JsonResponse {
      override parseBody() {
        const parsed = super.parseBody() as Record<string, unknown>;
        return { ...parsed, action: this.connection.action, i: this.connection.context["i"] };
      }
    }
    PerRequest.responseCls = PerRequestResponse;
    const c = new PerRequest({ port: slow.port });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => {
      if (i % 2 === 0) {
        c.setContext({ i });
        return c.request<any>(`/item/${i}`, { method: "POST", data: `body-${i}` }).then((r) => ({ i, r }));
      }
      return c.request<any>(`/item/${i}`, { method: "PUT", data: `body-${i}` }).then((r) => ({ i, r }));
    }));
    for (const { i, r } of results) {
      assert.equal(r.object.url, `/item/${i}`);
      assert.equal(r.object.body, `body-${i}`);
      assert.equal(r.object.action, `/item/${i}`);
      assert.equal(r.object.i, i % 2 === 0 ? i : undefined);
      assert.equal(r.request!.method, i % 2 === 0 ? "POST" : "PUT");
    }
    assert.deepEqual(mismatches, []);
    await c.close();
    await slow.close();
  });

  test("sync hooks (as a signing driver has), a token fetched on the same connection from an async hook, and a request started from a response class: each sees its own state", async () => {
    const server = await startServer(async (req, res) => {
      await new Promise((r) => setTimeout(r, Math.random() * 15));
      sendJson(res, 200, { url: req.url, auth: req.headers["x-auth"] ?? null, signed: req.headers["x-signed"] ?? null });
    });
    const wrong: string[] = [];
    const started: Promise<unknown>[] = [];
    let token: Promise<string> | undefined;
    class Seen extends JsonResponse {
      override parseBody() {
        const parsed = super.parseBody() as Record<string, unknown>;
        if (this.connection.action !== parsed["url"]) wrong.push(`response ${String(parsed["url"])} saw ${String(this.connection.action)}`);
        if (parsed["url"] === "/start-from-response") started.push((this.connection as Signing).request("/started"));
        return parsed;
      }
    }
    class Signing extends Echo {
      static override responseCls = Seen;
      override preConnectHook(params: Params, headers: Record<string, string>, request?: LibcloudRequest): [Params, Record<string, string>] {
        if (this.action !== request!.action) wrong.push(`sign ${request!.action} saw ${String(this.action)}`);
        return [params, { ...headers, "X-Signed": `${this.method} ${this.action}` }];
      }
    }
    class TokenAuth extends Signing {
      override async addDefaultHeaders(headers: Record<string, string>, request?: LibcloudRequest) {
        if (request!.action === "/token") return headers;
        token ??= this.request("/token").then((r: JsonResponse) => `token-for-${String((r.object as { url: string }).url)}`);
        const value = await token;
        if (this.action !== request!.action) wrong.push(`auth ${request!.action} saw ${String(this.action)}`);
        return { ...headers, "X-Auth": value };
      }
    }
    const signing = new Signing({ port: server.port });
    const auth = new TokenAuth({ port: server.port });
    try {
      const results = await Promise.all([
        ...Array.from({ length: 20 }, (_, i) => signing.request<any>(`/s${i}`, { method: i % 2 === 0 ? "GET" : "DELETE" })),
        ...Array.from({ length: 20 }, (_, i) => auth.request<any>(`/a${i}`)),
        signing.request("/start-from-response"),
      ]);
      await Promise.all(started);
      for (const [i, r] of results.slice(0, 20).entries()) assert.equal(r.object.signed, `${i % 2 === 0 ? "GET" : "DELETE"} /s${i}`);
      for (const [i, r] of results.slice(20, 40).entries()) {
        assert.equal(r.object.auth, "token-for-/token");
        assert.equal(r.object.signed, `GET /a${i}`);
      }
      assert.equal(started.length, 1);
      assert.equal(((await started[0]) as JsonResponse<{ signed: string }>).object.signed, "GET /started");
      assert.deepEqual(wrong, []);
    } finally {
      await signing.close();
      await auth.close();
      await server.close();
    }
  });

  test("without hook overrides (no async scope is used), response classes and error parsers of 40 concurrent requests see their own state; an instance-level async hook brings the scope back", async () => {
    const slow = await startServer(async (req, res, body) => {
      await new Promise((r) => setTimeout(r, Math.random() * 20));
      if (req.url!.endsWith("/fail")) return sendJson(res, 409, { url: req.url });
      sendJson(res, 200, { url: req.url, body: body.toString() });
    });
    class Seen extends JsonResponse {
      override parseBody() {
        const parsed = super.parseBody() as Record<string, unknown>;
        return { ...parsed, action: this.connection.action, method: this.connection.method, i: this.connection.context["i"] };
      }
      override parseError() {
        return `failed ${String(this.connection.action)} ${String(this.connection.context["i"])}`;
      }
    }
    class Plain extends Echo {
      static override responseCls = Seen;
    }
    const c = new Plain({ port: slow.port });
    try {
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => {
        c.setContext({ i });
        const path = i % 4 === 3 ? `/item/${i}/fail` : `/item/${i}`;
        return c.request<any>(path, { method: i % 2 === 0 ? "POST" : "PUT", data: `body-${i}` }).then((r) => ({ i, r, e: null }), (e: unknown) => ({ i, r: null, e }));
      }));
      for (const { i, r, e } of results) {
        if (i % 4 === 3) {
          assert.match(String((e as Error | null)?.message), new RegExp(`failed /item/${i}/fail ${i}$`));
          continue;
        }
        assert.equal(r!.object.action, `/item/${i}`);
        assert.equal(r!.object.method, i % 2 === 0 ? "POST" : "PUT");
        assert.equal(r!.object.i, i);
      }
      // Outside a request: the last request's action, and the next request's (empty) context.
      assert.match(String(c.action), /^\/item\/\d+/);
      assert.deepEqual(c.context, {});
      // A hook assigned on the instance is user code too: state must hold across its await.
      const mismatches: string[] = [];
      c.addDefaultHeaders = async function (this: Plain, headers: Record<string, string>, request?: LibcloudRequest) {
        const before = this.action;
        await new Promise((r) => setTimeout(r, Math.random() * 10));
        if (before !== request!.action || this.action !== request!.action) mismatches.push(`${request!.action}: ${String(before)} -> ${String(this.action)}`);
        return headers;
      };
      await Promise.all(Array.from({ length: 20 }, (_, i) => c.request(`/again/${i}`)));
      assert.deepEqual(mismatches, []);
    } finally {
      await c.close();
      await slow.close();
    }
  });
});

describe("secrets", () => {
  test("L3: util.inspect and JSON.stringify of a connection never show the key, secret or proxy password", () => {
    const c = new ConnectionUserAndKey("user", "sup3r-s3cret-key", { proxyUrl: "http://u:pr0xy-pa55@127.0.0.1:3128" });
    for (const text of [inspect(c), JSON.stringify(c), inspect(c, { showHidden: false, depth: 5 }), `${inspect(c.connect())}`]) {
      assert.ok(!text.includes("sup3r-s3cret-key"), text);
      assert.ok(!text.includes("pr0xy-pa55"), text);
    }
    assert.equal(c.key, "sup3r-s3cret-key");
    assert.equal(c.userId, "user");
  });
});

describe("client certificate connections", () => {
  test("S2/S6: a missing or directory certFile/keyFile path is a ConfigError at construction", async () => {
    const { CertificateConnection, KeyCertificateConnection } = await import("../../src/index.js");
    const { tmpdir } = await import("node:os");
    assert.throws(() => new CertificateConnection("/nonexistent/client.pem"), (e: unknown) => e instanceof ConfigError && /doesn't exist/.test(e.message));
    assert.throws(() => new CertificateConnection(tmpdir()), (e: unknown) => e instanceof ConfigError && /can't be a directory/.test(e.message));
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    assert.throws(() => new KeyCertificateConnection("/nonexistent/key.pem", pem), (e: unknown) => e instanceof ConfigError && /Key file/.test(e.message));
    const c = new KeyCertificateConnection("-----BEGIN PRIVATE KEY-----\nsecret-key-material\n-----END PRIVATE KEY-----\n", pem, { keyPassphrase: "pass-phrase-123" });
    assert.equal(c.certFile, pem);
    for (const text of [inspect(c), JSON.stringify(c)]) {
      assert.ok(!text.includes("secret-key-material") && !text.includes("pass-phrase-123"), text);
    }
  });
});
