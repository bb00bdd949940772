// Retry (docs/SPEC.md "Retry", decision 1; docs/RELIABILITY.md R1–R19), driven by an injected clock: no real sleeps.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import net from "node:net";
import { Readable } from "node:stream";
import { describe, test } from "node:test";
import {
  BaseHTTPError, ConfigError, Connection, ConnectionError, JsonResponse, MinimalRetry, RateLimitReachedError,
  Retry, RetryForeverOnRateLimitError, calculateRetryDelay, settings, LibcloudError,
} from "../../src/index.js";
import { envFlag } from "../../src/common/base/settings.js";
import { fakeClockEachTest } from "../helpers/clock.js";
import { sendJson, startServer } from "../helpers/server.js";
import type { ResponseClass } from "../../src/index.js";

const fake = fakeClockEachTest();

class Api extends Connection {
  static override secure = false;
  static override responseCls: ResponseClass = JsonResponse;
}

/** A server that answers each request with the next scripted [status, headers] (the last repeats). */
async function scripted(script: Array<[number, Record<string, string>?]>) {
  let i = 0;
  return startServer((_req, res, body) => {
    const [status, headers = {}] = script[Math.min(i++, script.length - 1)]!;
    sendJson(res, status, { n: i, hash: createHash("sha256").update(body).digest("hex") }, headers);
  });
}

describe("calculateRetryDelay (pure)", () => {
  const base = { retryAfterMs: undefined, currentDelayMs: 1000, retryDelayMs: 1000, backoff: 2, remainingMs: 30_000, random: 0, jitter: 0.1 };
  test("fatal errors give up", () => assert.equal(calculateRetryDelay({ ...base, kind: "fatal" }), undefined));
  test("retryable: the current delay, then times backoff", () => assert.deepEqual(calculateRetryDelay({ ...base, kind: "retryable" }), { delayMs: 1000, nextDelayMs: 2000 }));
  test("jitter lengthens by at most 10 % and never shortens", () => {
    const d = calculateRetryDelay({ ...base, kind: "retryable", random: 0.999 })!;
    assert.ok(d.delayMs >= 1000 && d.delayMs <= 1100, String(d.delayMs));
  });
  test("a delay past the budget gives up at once", () => assert.equal(calculateRetryDelay({ ...base, kind: "retryable", remainingMs: 999 }), undefined));
  test("rate limit with Retry-After sleeps exactly that and resets the delay", () =>
    assert.deepEqual(calculateRetryDelay({ ...base, kind: "rate-limit", retryAfterMs: 2000, currentDelayMs: 8000 }), { delayMs: 2000, nextDelayMs: 1000 }));
  test("H3: rate limit with Retry-After 0 waits the retry delay, never less", () => assert.deepEqual(calculateRetryDelay({ ...base, kind: "rate-limit", retryAfterMs: 0 }), { delayMs: 1000, nextDelayMs: 1000 }));
  test("H3: the count bound ends retrying whatever the budget leaves", () => {
    assert.equal(calculateRetryDelay({ ...base, kind: "retryable", attempt: 10, maxAttempts: 10 }), undefined);
    assert.equal(calculateRetryDelay({ ...base, kind: "rate-limit", retryAfterMs: 0, attempt: 3, maxAttempts: 3 }), undefined);
    assert.deepEqual(calculateRetryDelay({ ...base, kind: "retryable", attempt: 9, maxAttempts: 10 }), { delayMs: 1000, nextDelayMs: 2000 });
  });
  test("R5: a Retry-After beyond the budget fails at once", () => assert.equal(calculateRetryDelay({ ...base, kind: "rate-limit", retryAfterMs: 86_400_000 }), undefined));
});

describe("Retry.wrap", () => {
  test("R18: a non-retryable error → exactly one call (libcloud: test_retry_should_not_retry_on_non_defined_exception)", async () => {
    let calls = 0;
    const fn = new Retry({ retryDelay: 1, timeout: 1000 }).wrap(async () => {
      calls++;
      throw new TypeError("not retryable");
    });
    await assert.rejects(fn(), TypeError);
    assert.equal(calls, 1);
  });

  test("retryExceptions replaces the policy; delay grows by backoff until the budget ends", async () => {
    let calls = 0;
    class Flaky extends Error {}
    const fn = new Retry({ retryDelay: 100, timeout: 1000, backoff: 2, jitter: 0, retryExceptions: [Flaky] }).wrap(async () => {
      calls++;
      throw new Flaky();
    });
    await assert.rejects(fn(), Flaky);
    assert.deepEqual(fake.clock.sleeps, [100, 200, 400]); // the next (800) would end past the 1000 ms budget
    assert.equal(calls, 4);
  });

  test("R12: libcloud compatibility (retryDelay 1 s, backoff 1, timeout 30 s, no jitter) is a constant 1 s delay", async () => {
    class Flaky extends Error {}
    const fn = new Retry({ retryDelay: 1000, backoff: 1, timeout: 30_000, jitter: 0, maxAttempts: Infinity, retryExceptions: [Flaky] }).wrap(async () => {
      throw new Flaky();
    });
    await assert.rejects(fn(), Flaky);
    assert.equal(fake.clock.sleeps.length, 30);
    assert.ok(fake.clock.sleeps.every((s) => s === 1000));
  });

  test("R12: jitter stays within +10 % and the first attempt is never delayed", async () => {
    fake.use({ random: () => 0.999 });
    let calls = 0;
    const fn = new Retry({ retryDelay: 100, timeout: 10_000, backoff: 2, retryExceptions: [Error] }).wrap(async () => {
      if (++calls < 5) throw new Error("x");
      return "ok";
    });
    assert.equal(await fn(), "ok");
    const expected = [100, 200, 400, 800];
    fake.clock.sleeps.forEach((s, i) => assert.ok(s >= expected[i]! && s <= expected[i]! * 1.1, `${s}`));
  });

  test("MinimalRetry retries rate limits only", async () => {
    let calls = 0;
    const fn = new MinimalRetry({ retryDelay: 50, timeout: 1000 }).wrap(async () => {
      calls++;
      if (calls === 1) throw new RateLimitReachedError();
      if (calls === 2) throw new BaseHTTPError(503, "down");
      return "never";
    });
    await assert.rejects(fn(), (e: unknown) => e instanceof BaseHTTPError && e.code === 503);
    assert.equal(calls, 2);
  });

  test("R13: bad retry settings are ConfigErrors at construction", () => {
    for (const bad of [0, -1, Number.NaN, Infinity, "5"]) {
      assert.throws(() => new Retry({ timeout: bad as number }), ConfigError);
      assert.throws(() => new Retry({ retryDelay: bad as number }), ConfigError);
    }
    assert.throws(() => new Retry({ backoff: 0.5 }), ConfigError);
  });

  test("R19: RetryForeverOnRateLimitError waits out rate limits past the budget; 3×429 then success, then success: 5 calls", async () => {
    let calls = 0;
    const retry = new RetryForeverOnRateLimitError({ retryDelay: 1000, timeout: 1500, jitter: 0 });
    const fn = retry.wrap(async () => {
      calls++;
      if (calls <= 3) throw new RateLimitReachedError({ headers: { "retry-after": "1" } });
      return calls;
    });
    assert.equal(await fn(), 4);
    assert.equal(await fn(), 5);
    assert.equal(calls, 5);
    assert.deepEqual(fake.clock.sleeps, [1000, 1000, 1000]);
  });

  test("R19/T12: an abort during the backoff sleep rejects at once and schedules nothing more", async () => {
    fake.use({ auto: false });
    let calls = 0;
    const controller = new AbortController();
    const fn = new RetryForeverOnRateLimitError({ retryDelay: 1000, timeout: 1500 }).wrap(async () => {
      calls++;
      throw new RateLimitReachedError({ headers: { "retry-after": "3600" } });
    }, { signal: controller.signal });
    const pending = fn();
    await new Promise((r) => setImmediate(r));
    assert.equal(fake.clock.pending, 1);
    controller.abort();
    await assert.rejects(pending, (e: unknown) => (e as Error).name === "AbortError");
    fake.clock.advance(10_000_000);
    await new Promise((r) => setImmediate(r));
    assert.equal(calls, 1);
  });

  test("R6: the budget runs on the injected monotonic clock; a wall-clock jump changes nothing", async () => {
    const realNow = Date.now;
    let calls = 0;
    try {
      const fn = new Retry({ retryDelay: 100, timeout: 1000, jitter: 0, maxAttempts: Infinity, retryExceptions: [Error] }).wrap(async () => {
        calls++;
        Date.now = () => realNow() + (calls % 2 === 0 ? 3_600_000 : -3_600_000);
        throw new Error("x");
      });
      await assert.rejects(fn());
    } finally {
      Date.now = realNow;
    }
    assert.equal(calls, 11);
  });
});

describe("retry through Connection.request", () => {
  test("R1: 429 with Retry-After: 2, then 200 → one retry after 2 s; the response is returned", async () => {
    const server = await scripted([[429, { "retry-after": "2" }], [200]]);
    const c = new Api({ port: server.port });
    const r = await c.request("/", { retryFailed: true });
    assert.equal(r.status, 200);
    assert.equal(server.requests.length, 2);
    assert.deepEqual(fake.clock.sleeps, [2000]);
    await c.close();
    await server.close();
  });

  test("R2: 429 every time → RateLimitReachedError with retryAfter and attempts once the budget is spent", async () => {
    const server = await scripted([[429, { "retry-after": "2" }]]);
    const c = new Api({ port: server.port, timeout: 10_000 });
    await assert.rejects(c.request("/", { retryFailed: true }), (e: unknown) => {
      assert.ok(e instanceof RateLimitReachedError);
      assert.equal(e.retryAfter, 2);
      assert.equal((e as unknown as { attempts: number }).attempts, 6);
      return true;
    });
    assert.equal(server.requests.length, 6);
    await c.close();
    await server.close();
  });

  test("R3/H3: a Retry-After date in the past waits the minimum delay (the retry delay), never 0", async () => {
    const server = await scripted([[429, { "retry-after": "Wed, 21 Oct 2015 07:28:00 GMT" }], [200]]);
    const c = new Api({ port: server.port });
    assert.equal((await c.request("/", { retryFailed: true })).status, 200);
    assert.deepEqual(fake.clock.sleeps, [1000]);
    await c.close();
    await server.close();
  });

  test("R4: an unusable Retry-After falls back to the computed delay", async () => {
    const server = await scripted([[429, { "retry-after": "soon" }], [200]]);
    const c = new Api({ port: server.port, retryDelay: 250 });
    assert.equal((await c.request("/", { retryFailed: true })).status, 200);
    assert.ok(fake.clock.sleeps[0]! >= 250 && fake.clock.sleeps[0]! <= 275);
    await c.close();
    await server.close();
  });

  test("R5: Retry-After: 86400 beyond the budget fails at once, without sleeping", async () => {
    const server = await scripted([[429, { "retry-after": "86400" }], [200]]);
    const c = new Api({ port: server.port });
    await assert.rejects(c.request("/", { retryFailed: true }), (e: unknown) => e instanceof RateLimitReachedError && e.retryAfter === 86400);
    assert.deepEqual(fake.clock.sleeps, []);
    assert.equal(server.requests.length, 1);
    await c.close();
    await server.close();
  });

  test("R7: 503, 502 and 504 are retried for GET; 500 on POST is not; 503 on POST is", async () => {
    for (const status of [503, 502, 504]) {
      const server = await scripted([[status], [200]]);
      const c = new Api({ port: server.port });
      assert.equal((await c.request("/", { retryFailed: true })).status, 200, String(status));
      await c.close();
      await server.close();
    }
    const s500 = await scripted([[500], [200]]);
    const c500 = new Api({ port: s500.port });
    await assert.rejects(c500.request("/", { method: "POST", data: "x", retryFailed: true }), (e: unknown) => e instanceof BaseHTTPError && e.code === 500);
    assert.equal(s500.requests.length, 1);
    const s503 = await scripted([[503], [200]]);
    const c503 = new Api({ port: s503.port });
    assert.equal((await c503.request("/", { method: "POST", data: "x", retryFailed: true })).status, 200);
    await Promise.all([c500.close(), s500.close(), c503.close(), s503.close()]);
  });

  test("R10: permanent failures get exactly one attempt with retry on (400, 401, 403, 404, bad header)", async () => {
    for (const status of [400, 401, 403, 404]) {
      const server = await scripted([[status], [200]]);
      const c = new Api({ port: server.port });
      await assert.rejects(c.request("/", { retryFailed: true }), (e: unknown) => e instanceof BaseHTTPError && e.code === status);
      assert.equal(server.requests.length, 1, String(status));
      await c.close();
      await server.close();
    }
    const c = new Api({ port: 1 });
    await assert.rejects(c.request("/", { retryFailed: true, headers: { "X-A": "\r\n" } }), TypeError);
    assert.deepEqual(fake.clock.sleeps, []);
  });

  test("R8: POST whose body was sent, then a reset → not retried, the error says it may have been processed; idempotent: true retries", async () => {
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      socket.once("data", () => {
        if (connections <= 2) socket.resetAndDestroy();
        else socket.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    const c = new Api({ port });
    await assert.rejects(c.request("/", { method: "POST", data: "payload", retryFailed: true }), (e: unknown) => {
      assert.ok(e instanceof ConnectionError);
      assert.equal(e.requestSent, true);
      assert.match(e.message, /may have been processed/);
      return true;
    });
    assert.equal(connections, 1);
    const ok = await c.request("/", { method: "POST", data: "payload", retryFailed: true, idempotent: true });
    assert.equal(ok.status, 200);
    assert.equal(connections, 3);
    await c.close();
    await new Promise((r) => server.close(r));
  });

  test("R9: a stream body is never re-sent; a Buffer or body factory is re-sent byte-identical", async () => {
    const server = await scripted([[503], [200]]);
    const c = new Api({ port: server.port });
    const payload = Buffer.from("x".repeat(100_000));
    await assert.rejects(c.request("/", { method: "PUT", data: Readable.from([payload]), retryFailed: true }), (e: unknown) =>
      e instanceof BaseHTTPError && e.code === 503 && /cannot be sent twice/.test(e.message));
    assert.equal(server.requests.length, 1);
    await c.close();
    await server.close();
    for (const data of [payload, () => Readable.from([payload])]) {
      const s = await scripted([[503], [200]]);
      const c2 = new Api({ port: s.port });
      const r = await c2.request<any>("/", { method: "PUT", data, retryFailed: true });
      const want = createHash("sha256").update(payload).digest("hex");
      assert.equal(r.object.hash, want);
      assert.deepEqual(s.requests.map((q) => q.body.length), [100_000, 100_000]);
      await c2.close();
      await s.close();
    }
  });

  test("R11: connect-phase errors (refused) are retried even for POST", async () => {
    const c = new Api({ port: 1, timeout: 3000, retryDelay: 1000 });
    await assert.rejects(c.request("/", { method: "POST", data: "x", retryFailed: true }), (e: unknown) => {
      assert.ok(e instanceof ConnectionError);
      assert.equal(e.code, "ECONNREFUSED");
      assert.equal(e.requestSent, false);
      // 0 ms, 1000, 2000, 3000: a delay that ends exactly at the 3 s budget is still taken.
      assert.equal((e as unknown as { attempts: number }).attempts, 4);
      return true;
    });
  });

  test("R14: LIBCLOUD_RETRY_FAILED_HTTP_REQUESTS parsing, and retryFailed wins over settings", async () => {
    for (const v of ["0", "false", "", "FALSE", " no "]) assert.equal(envFlag(v), false, JSON.stringify(v));
    for (const v of ["1", "true", "yes"]) assert.equal(envFlag(v), true, v);
    assert.equal(envFlag(undefined), false);
    const server = await scripted([[503], [200]]);
    const c = new Api({ port: server.port });
    settings.retryFailedHttpRequests = true;
    try {
      await assert.rejects(c.request("/", { retryFailed: false }), BaseHTTPError);
      assert.equal((await c.request("/")).status, 200);
    } finally {
      settings.retryFailedHttpRequests = false;
    }
    await c.close();
    await server.close();
  });

  test("R16: a rate-limit error raised while parsing is retried (libcloud: test_parse_errors_can_be_retried)", async () => {
    let parses = 0;
    class Flaky extends JsonResponse {
      override parseBody(): unknown {
        if (++parses === 1) throw new RateLimitReachedError({ headers: { "retry-after": "1" } });
        return super.parseBody();
      }
    }
    class FlakyApi extends Api {
      static override responseCls = Flaky;
    }
    const server = await scripted([[200]]);
    const c = new FlakyApi({ port: server.port });
    const r = await c.request<any>("/", { retryFailed: true });
    assert.equal(r.object.n, 2);
    assert.equal(parses, 2);
    await c.close();
    await server.close();
  });

  test("R17: concurrent requests keep independent attempt counters and delays", async () => {
    const counts = new Map<string, number>();
    const server = await startServer((req, res) => {
      const n = (counts.get(req.url!) ?? 0) + 1;
      counts.set(req.url!, n);
      const failures = req.url === "/a" ? 1 : 3;
      if (n <= failures) sendJson(res, 503, {});
      else sendJson(res, 200, { n });
    });
    const c = new Api({ port: server.port, retryDelay: 100, backoff: 2 });
    const [a, b] = await Promise.all([c.request<any>("/a", { retryFailed: true }), c.request<any>("/b", { retryFailed: true })]);
    assert.equal(a.object.n, 2);
    assert.equal(b.object.n, 4);
    await c.close();
    await server.close();
  });

  test("retry is off by default (libcloud's default)", async () => {
    const server = await scripted([[503], [200]]);
    const c = new Api({ port: server.port });
    await assert.rejects(c.request("/"), (e: unknown) => e instanceof BaseHTTPError && e.code === 503);
    assert.equal(server.requests.length, 1);
    await c.close();
    await server.close();
  });

  test("an abort signal cancels the request before it starts", async () => {
    const c = new Api({ port: 1 });
    const controller = new AbortController();
    controller.abort(new LibcloudError("stop"));
    await assert.rejects(c.request("/", { signal: controller.signal, retryFailed: true }), /stop/);
  });
});
