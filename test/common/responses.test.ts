// Response classes and error mapping (docs/SPEC.md "Responses", "Errors"; docs/RELIABILITY.md J1–J4, J11, P17).
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { after, before, describe, test } from "node:test";
import { inspect } from "node:util";
import {
  BaseHTTPError, Connection, Element, exceptionFromMessage, HTTPResponse, InvalidCredsError, JsonResponse,
  LibcloudError, MalformedResponseError, ProviderError, RateLimitReachedError, RawResponse, Response,
  ServiceUnavailableError, XmlResponse, parseRetryAfter, ResponseTooLargeError,
} from "../../src/index.js";
import { startServer, type TestServer } from "../helpers/server.js";
import type { BaseDriver, ResponseClass } from "../../src/index.js";

/** Routes: /status/<code>?body=..&type=.. answers with that status, body and content type. */
let server: TestServer;
before(async () => {
  server = await startServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const status = Number(url.pathname.split("/")[2] ?? 200);
    const body = url.searchParams.get("body") ?? "";
    const headers: Record<string, string> = { "content-type": url.searchParams.get("type") ?? "text/plain" };
    const retryAfter = url.searchParams.get("retryAfter");
    if (retryAfter !== null) headers["retry-after"] = retryAfter;
    if (url.pathname === "/gzip") {
      const zipped = gzipSync(Buffer.from('{"zipped":true}'));
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", "content-length": zipped.length });
      res.end(zipped);
      return;
    }
    if (url.pathname === "/big") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(Buffer.alloc(5000, 0x20));
      return;
    }
    if (url.pathname === "/latin1") {
      res.writeHead(200, { "content-type": "text/plain; charset=ISO-8859-1" });
      res.end(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
      return;
    }
    res.writeHead(status, headers);
    res.end(req.method === "HEAD" ? undefined : body);
  });
});
after(() => server.close());

function connectionWith(responseCls: ResponseClass, extra: Record<string, unknown> = {}): Connection {
  class C extends Connection {
    static override secure = false;
    static override responseCls = responseCls;
  }
  return new C({ port: server.port, ...extra });
}

const q = (status: number, body: string, type = "text/plain", extra = ""): string =>
  `/status/${status}?body=${encodeURIComponent(body)}&type=${encodeURIComponent(type)}${extra}`;

describe("Response", () => {
  test("fields: status, lower-cased headers, trimmed body, reason as error, connection, request", async () => {
    const c = connectionWith(Response);
    const r = await c.request(q(200, "  hello \n"));
    assert.equal(r.status, 200);
    assert.equal(r.body, "hello");
    assert.equal(r.object, "hello");
    assert.equal(r.error, "OK");
    assert.equal(r.headers["content-type"], "text/plain");
    assert.equal(r.connection, c);
    assert.equal(r.request!.method, "GET");
    assert.equal(r.parseZeroLengthBody, false);
    await c.close();
  });

  test("success() is true for 200, 201, 202 only; the constructor throws the status's error otherwise", () => {
    for (const [status, ok] of [[200, true], [201, true], [202, true], [204, false], [301, false], [404, false]] as const) {
      const build = (): Response => new Response(new HTTPResponse({ status, headers: {}, body: null }), new Connection());
      if (ok) assert.equal(build().success(), true, String(status));
      else assert.throws(build, (e: unknown) => e instanceof BaseHTTPError && e.statusCode === status, String(status));
    }
  });

  test("a failed status throws exceptionFromMessage(status, parseError(), headers)", async () => {
    const c = connectionWith(Response);
    await assert.rejects(c.request(q(404, "no such thing")), (e: unknown) => e instanceof BaseHTTPError && e.code === 404 && e.message === "no such thing" && e.headers["content-type"] === "text/plain");
    await assert.rejects(c.request(q(429, "slow down", "text/plain", "&retryAfter=7")), (e: unknown) => e instanceof RateLimitReachedError && e.retryAfter === 7 && e.code === 429);
    await c.close();
  });

  test("an empty error body gives the status line as message", async () => {
    const c = connectionWith(Response);
    await assert.rejects(c.request(q(500, "")), (e: unknown) => e instanceof BaseHTTPError && e.message === "500 Internal Server Error");
    await c.close();
  });

  test("a typed error thrown by parseError() is thrown as is", async () => {
    class Creds extends Response {
      override parseError(): unknown {
        if (this.status === 401) throw new InvalidCredsError(this.body);
        return this.body;
      }
    }
    const c = connectionWith(Creds);
    await assert.rejects(c.request(q(401, "bad token")), (e: unknown) => e instanceof InvalidCredsError && e.httpCode === 401 && e.message === "bad token");
    await c.close();
  });

  test("a charset in Content-Type is honoured", async () => {
    const c = connectionWith(Response);
    assert.equal((await c.request("/latin1")).body, "café");
    await c.close();
  });

  test("gzip bodies are decoded transparently", async () => {
    const c = connectionWith(JsonResponse);
    assert.deepEqual((await c.request("/gzip")).object, { zipped: true });
    await c.close();
  });

  test("M9: buffered bodies are capped (maxBufferedBodyBytes) with a typed error", async () => {
    const c = connectionWith(Response, { maxBufferedBodyBytes: 1000 });
    await assert.rejects(c.request("/big"), (e: unknown) => e instanceof ResponseTooLargeError && e.limit === 1000);
    await c.close();
  });

  test("P11: HEAD and 204 responses resolve at once with an empty body", async () => {
    const c = connectionWith(Response);
    const r = await c.request(q(200, "ignored"), { method: "HEAD" });
    assert.equal(r.body, "");
    await assert.rejects(c.request(q(204, "")), (e: unknown) => e instanceof BaseHTTPError && e.code === 204);
    await c.close();
  });
});

describe("JsonResponse", () => {
  test("parses JSON; an empty body stays '' unless parseZeroLengthBody (J2)", async () => {
    const c = connectionWith(JsonResponse);
    assert.deepEqual((await c.request(q(200, '{"a":1}', "application/json"))).object, { a: 1 });
    assert.equal((await c.request(q(200, "", "application/json"))).object, "");
    class Strict extends JsonResponse {
      override parseZeroLengthBody = true;
    }
    const s = connectionWith(Strict);
    await assert.rejects(s.request(q(200, "", "application/json")), MalformedResponseError);
    await Promise.all([c.close(), s.close()]);
  });

  test("J1: invalid JSON with a 200 → MalformedResponseError carrying a bounded body excerpt and the driver", async () => {
    const c = connectionWith(JsonResponse);
    c.driver = { name: "D" } as BaseDriver;
    const long = `{"broken": ${"x".repeat(5000)}`;
    await assert.rejects(c.request(q(200, long, "application/json")), (e: unknown) => {
      assert.ok(e instanceof MalformedResponseError);
      assert.equal(e.message, "Failed to parse JSON");
      assert.ok(e.body!.length <= 1024);
      assert.ok(e.body!.startsWith('{"broken"'));
      assert.deepEqual(e.driver, { name: "D" });
      assert.ok(e.cause instanceof SyntaxError);
      return true;
    });
    await c.close();
  });

  test("J3: a UTF-8 BOM is stripped; numbers above 2^53 lose precision as in JSON.parse; duplicate keys: last wins", async () => {
    const c = connectionWith(JsonResponse);
    const r = await c.request(q(200, '\uFEFF{"a":1,"a":2,"big":9007199254740993}', "application/json"));
    assert.deepEqual(r.object, { a: 2, big: 9007199254740992 });
    await c.close();
  });

  test("J4: __proto__ in JSON never pollutes prototypes", async () => {
    const c = connectionWith(JsonResponse);
    const r = await c.request(q(200, '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted2":1}}}', "application/json"));
    const merged = Object.assign({}, r.object);
    assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
    assert.equal(({} as Record<string, unknown>)["polluted2"], undefined);
    assert.equal((merged as Record<string, unknown>)["polluted"], 1);
    await c.close();
  });

  test("parseError = parseBody: a JSON error object becomes the error's value, JSON-encoded into message", async () => {
    const c = connectionWith(JsonResponse);
    await assert.rejects(c.request(q(400, '{"error":{"code":"Bad"}}', "application/json")), (e: unknown) => {
      assert.ok(e instanceof BaseHTTPError);
      assert.deepEqual(e.value, { error: { code: "Bad" } });
      assert.equal(e.message, '{"error":{"code":"Bad"}}');
      return true;
    });
    await c.close();
  });

  test("J11/P17: an HTML error page on a failed JSON request keeps the status's error, the parse error as cause", async () => {
    const c = connectionWith(JsonResponse);
    const page = "<html><body>502 Bad Gateway</body></html>";
    await assert.rejects(c.request(q(502, page, "text/html")), (e: unknown) => {
      assert.ok(e instanceof BaseHTTPError && !(e instanceof MalformedResponseError));
      assert.equal(e.code, 502);
      assert.equal(e.message, page);
      assert.ok((e as Error).cause instanceof MalformedResponseError);
      return true;
    });
    await assert.rejects(c.request(q(429, "slow down", "text/plain", "&retryAfter=3")), (e: unknown) => e instanceof RateLimitReachedError && e.retryAfter === 3 && e.message === "slow down");
    await c.close();
  });
});

describe("XmlResponse", () => {
  test("parses into an ElementTree-style tree with namespaces", async () => {
    const c = connectionWith(XmlResponse);
    const xml = '<?xml version="1.0"?><Root xmlns="urn:x"><Item id="1"><Name>a</Name></Item><Item id="2"><Name>b</Name></Item></Root>';
    const r = await c.request(q(200, xml, "application/xml"));
    const root = r.object as Element;
    assert.equal(root.tag, "{urn:x}Root");
    assert.deepEqual(root.findall("{urn:x}Item").map((i) => i.get("id")), ["1", "2"]);
    assert.equal(root.findtext("{urn:x}Item/{urn:x}Name"), "a");
    await c.close();
  });

  test("bad XML → MalformedResponseError 'Failed to parse XML'; on a failed status the status wins", async () => {
    const c = connectionWith(XmlResponse);
    await assert.rejects(c.request(q(200, "<a><b></a>", "application/xml")), (e: unknown) => e instanceof MalformedResponseError && e.message === "Failed to parse XML");
    await assert.rejects(c.request(q(503, "<html>down", "text/html")), (e: unknown) => e instanceof BaseHTTPError && e.code === 503 && (e as Error).cause instanceof MalformedResponseError);
    await c.close();
  });

  test("an XML error element is the error's value, its text in the message", async () => {
    const c = connectionWith(XmlResponse);
    await assert.rejects(c.request(q(409, "<Error><Code>Conflict</Code></Error>", "application/xml")), (e: unknown) => {
      assert.ok(e instanceof BaseHTTPError && e.value instanceof Element);
      assert.match(e.message, /Conflict/);
      return true;
    });
    await c.close();
  });
});

describe("RawResponse", () => {
  test("status and headers at once; the body streams through iterContent with exact chunk sizes", async () => {
    const c = connectionWith(Response);
    const r = await c.request(q(200, "abcdefghij"), { raw: true });
    assert.ok(r instanceof RawResponse);
    assert.equal(r.status, 200);
    assert.equal(r.reason, "OK");
    const chunks: string[] = [];
    for await (const chunk of r.iterContent(3)) chunks.push(chunk.toString());
    assert.deepEqual(chunks, ["abc", "def", "ghi", "j"]);
    await assert.rejects(r.body(), /already been consumed/);
    await c.close();
  });

  test("body() reads it whole; a failed status throws like Response, parseError seeing the error body", async () => {
    const c = connectionWith(Response);
    const r = await c.request(q(200, "whole"), { raw: true });
    assert.equal((await r.body()).toString(), "whole");
    await assert.rejects(c.request(q(404, "missing blob"), { raw: true }), (e: unknown) => e instanceof BaseHTTPError && e.code === 404 && e.message === "missing blob");
    await c.close();
  });
});

describe("errors", () => {
  test("class fields and names", () => {
    const e = new LibcloudError("boom", { driver: { name: "d" } });
    assert.equal(e.name, "LibcloudError");
    assert.equal(e.value, "boom");
    assert.deepEqual(e.driver, { name: "d" });
    assert.ok(!JSON.stringify(e).includes("driver"));
    const p = new ProviderError("x", 418);
    assert.equal(p.httpCode, 418);
    assert.equal(new InvalidCredsError().message, "Invalid credentials with the provider");
    assert.equal(new InvalidCredsError().httpCode, 401);
    assert.equal(new ServiceUnavailableError().httpCode, 503);
    assert.equal(new ServiceUnavailableError().message, "Service unavailable at provider");
    const m = new MalformedResponseError("bad", { body: "b" });
    assert.equal(m.body, "b");
    const cause = new Error("root");
    assert.equal(new LibcloudError("x", { cause }).cause, cause);
  });

  test("exceptionFromMessage: 429 → RateLimitReachedError, others BaseHTTPError; the caller's headers are not changed", () => {
    const headers = { "Retry-After": "12" };
    const e = exceptionFromMessage(429, "slow", headers);
    assert.ok(e instanceof RateLimitReachedError);
    assert.equal((e).retryAfter, 12);
    assert.deepEqual(headers, { "Retry-After": "12" });
    const f = exceptionFromMessage(500, "oops", {});
    assert.ok(f instanceof BaseHTTPError && !(f instanceof RateLimitReachedError));
    assert.equal(f.code, 500);
    assert.equal(new RateLimitReachedError().retryAfter, undefined);
    assert.equal(new RateLimitReachedError({ headers: { "RETRY-AFTER": "0" } }).retryAfter, 0);
  });

  test("R3: Retry-After as an HTTP-date becomes non-negative delta seconds", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    assert.equal(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now), 30);
    assert.equal(parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now), 0);
  });

  test("R4: unusable Retry-After values are ignored, never thrown", () => {
    for (const v of ["soon", "-5", "NaN", "1e309", "", " ", "1.", ".5", "99999999999999999999"]) {
      assert.equal(parseRetryAfter(v), undefined, v);
      assert.doesNotThrow(() => new RateLimitReachedError({ headers: { "retry-after": v } }));
    }
  });

  test("errors print no secrets: inspect of an error with a driver holding a key", () => {
    const driver = { key: "AKIA-SECRET-KEY-123" };
    const e = new LibcloudError("failed", { driver });
    assert.ok(!inspect(e).includes("AKIA-SECRET-KEY-123"));
    assert.ok(!JSON.stringify(e).includes("AKIA-SECRET-KEY-123"));
  });
});

describe("content decoding follows what the request accepted", () => {
  test("gzip is decoded by default, and handed over as received when the caller asked for identity", async () => {
    const c = connectionWith(Response);
    const decoded = await c.request("/gzip", { raw: true });
    assert.equal((await decoded.body()).toString(), '{"zipped":true}');
    const stored = await c.request("/gzip", { raw: true, headers: { "Accept-Encoding": "identity" } });
    const bytes = await stored.body();
    assert.equal(bytes[0], 0x1f);
    assert.equal(bytes[1], 0x8b);
    assert.equal(stored.headers["content-encoding"], "gzip");
    await c.close();
  });
});
