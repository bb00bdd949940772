// RELIABILITY H3: retries are bounded in count as well as time and never faster than the retry
// delay; a request the transport refuses before sending fails once and is never retried.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  BaseHTTPError, ConfigError, Connection, ConnectionError, DEFAULT_MAX_ATTEMPTS, JsonResponse, RateLimitReachedError, Retry,
  type RetryOptions,
} from "../../src/index.js";
import { setClock, systemClock } from "../../src/utils/clock.js";
import { fakeClockEachTest } from "../helpers/clock.js";
import { sendJson, startServer } from "../helpers/server.js";

const fake = fakeClockEachTest();

class Api extends Connection {
  static override secure = false;
  static override responseCls = JsonResponse;
}

async function always(status: number, headers: Record<string, string> = {}) {
  return startServer((_req, res) => sendJson(res, status, { status }, headers));
}

test("H3: Retry-After: 0 on every 429 → at most the default count bound of attempts, each wait ≥ the retry delay", { timeout: 10_000 }, async () => {
  const server = await always(429, { "retry-after": "0" });
  const c = new Api({ port: server.port, timeout: 600_000 });
  await assert.rejects(c.request("/", { retryFailed: true }), (e: unknown) => e instanceof RateLimitReachedError && e.retryAfter === 0
    && (e as unknown as { attempts: number }).attempts === DEFAULT_MAX_ATTEMPTS && /gave up after 10 attempts/.test(e.message));
  assert.equal(DEFAULT_MAX_ATTEMPTS, 10);
  assert.equal(server.requests.length, 10);
  assert.equal(fake.clock.sleeps.length, 9);
  assert.ok(fake.clock.sleeps.every((ms) => ms >= 1000), String(fake.clock.sleeps));
  await Promise.all([c.close(), server.close()]);
});

test("H3: a Retry-After HTTP-date in the past, and an instant 503, wait the retry delay and stop at the count bound", { timeout: 10_000 }, async () => {
  for (const [status, headers] of [[429, { "retry-after": "Wed, 21 Oct 2015 07:28:00 GMT" }], [503, {}]] as const) {
    const server = await always(status, headers);
    const c = new Api({ port: server.port, timeout: 600_000, retryDelay: 250 });
    fake.clock.sleeps.length = 0;
    await assert.rejects(c.request("/", { retryFailed: true }), (e: unknown) => e instanceof BaseHTTPError && e.statusCode === status);
    assert.equal(server.requests.length, 10, String(status));
    assert.ok(fake.clock.sleeps.every((ms) => ms >= 250), String(fake.clock.sleeps));
    await Promise.all([c.close(), server.close()]);
  }
});

test("H3: on the real clock, an instantly failing 429 with Retry-After: 0 makes at most maxAttempts requests, spaced by the retry delay", { timeout: 10_000 }, async () => {
  const restoreReal = setClock(systemClock);
  try {
    const server = await always(429, { "retry-after": "0" });
    const c = new Api({ port: server.port, timeout: 2000, retryDelay: 40 });
    const started = performance.now();
    await assert.rejects(c.request("/", { retry: { maxAttempts: 5 } }), RateLimitReachedError);
    const elapsed = performance.now() - started;
    assert.equal(server.requests.length, 5);
    assert.ok(elapsed >= 4 * 40, `${elapsed} ms for 5 attempts`);
    await Promise.all([c.close(), server.close()]);
  } finally {
    restoreReal();
  }
});

test("H3: connection refused (an instant failure) is bounded by maxAttempts from the connection, the class and the call", { timeout: 10_000 }, async () => {
  class Bounded extends Api {
    static override maxAttempts = 3;
  }
  const attemptsOf = async (c: Connection, options: Parameters<Connection["request"]>[1]): Promise<number> => {
    let attempts = 0;
    await assert.rejects(c.request("/", options), (e: unknown) => {
      attempts = (e as { attempts: number }).attempts;
      return e instanceof ConnectionError && e.code === "ECONNREFUSED";
    });
    return attempts;
  };
  assert.equal(await attemptsOf(new Api({ port: 1, timeout: 600_000 }), { retryFailed: true }), 10);
  assert.equal(await attemptsOf(new Bounded({ port: 1, timeout: 600_000 }), { retryFailed: true }), 3);
  assert.equal(await attemptsOf(new Bounded({ port: 1, timeout: 600_000, maxAttempts: 2 }), { retryFailed: true }), 2);
  assert.equal(await attemptsOf(new Bounded({ port: 1, timeout: 600_000 }), { retry: { maxAttempts: 1 } }), 1);
  assert.ok(fake.clock.sleeps.every((ms) => ms >= 1000));
  assert.throws(() => new Retry({ maxAttempts: 0 }), ConfigError);
  assert.throws(() => new Retry({ maxAttempts: 2.5 }), ConfigError);
  assert.equal(new Retry({ maxAttempts: Infinity }).maxAttempts, Infinity);
});

test("H3: Expect: 100-continue and hop-by-hop headers fail once, before sending, and are never retried, even by a retry-everything policy", { timeout: 10_000 }, async () => {
  const server = await always(200);
  class RetryEverything extends Retry {
    constructor(options: RetryOptions) {
      super({ ...options, retryExceptions: [Error] });
    }
  }
  class Eager extends Api {
    static override retryCls = RetryEverything;
  }
  for (const headers of [{ Expect: "100-continue" }, { "Keep-Alive": "timeout=5" }, { Upgrade: "h2c" }, { "Transfer-Encoding": "chunked" }]) {
    for (const Cls of [Api, Eager]) {
      const c = new Cls({ port: server.port, retryDelay: 10 });
      await assert.rejects(c.request("/", { headers, retryFailed: true }), (e: unknown) => {
        assert.ok(e instanceof Error, String(e));
        const attempts = (e as { attempts?: number }).attempts;
        assert.ok(attempts === undefined || attempts === 1, `${Object.keys(headers)[0]} with ${Cls.name}: ${attempts} attempts`);
        return true;
      });
      await c.close();
    }
  }
  assert.equal(server.requests.length, 0);
  assert.deepEqual(fake.clock.sleeps, []);
  await server.close();
});
