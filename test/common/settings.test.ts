// Settings libcloud reads at each call are read at each call here too: LIBCLOUD_RETRY_FAILED_HTTP_REQUESTS
// (libcloud's Connection.request reads os.environ every time), against a loopback server.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { BaseHTTPError, Connection, ConnectionError, JsonResponse, settings } from "../../src/index.js";
import { fakeClockEachTest } from "../helpers/clock.js";
import { sendJson, startServer, type TestServer } from "../helpers/server.js";

const ENV = "LIBCLOUD_RETRY_FAILED_HTTP_REQUESTS";
fakeClockEachTest();

class Api extends Connection {
  static override secure = false;
  static override responseCls = JsonResponse;
  static override retryDelay = 1;
}

describe("R14: LIBCLOUD_RETRY_FAILED_HTTP_REQUESTS is read at each request, as libcloud reads it", () => {
  let server: TestServer;
  let failNext = 0;
  let requests = 0;
  const saved = process.env[ENV];
  before(async () => {
    server = await startServer((_req, res) => {
      requests += 1;
      if (failNext > 0) {
        failNext -= 1;
        sendJson(res, 503, { busy: true });
      } else sendJson(res, 200, { ok: true });
    });
  });
  after(() => server.close());
  afterEach(() => {
    if (saved === undefined) delete process.env[ENV];
    else process.env[ENV] = saved;
    settings.retryFailedHttpRequests = false;
  });

  /** Sends one request that meets one 503 first; returns whether it was retried to success. */
  async function retriedOnce(c: Api, retryFailed?: boolean): Promise<boolean> {
    failNext = 1;
    requests = 0;
    try {
      await c.request("/", retryFailed === undefined ? {} : { retryFailed });
      assert.equal(requests, 2);
      return true;
    } catch (error) {
      assert.ok(error instanceof BaseHTTPError, String(error));
      assert.equal(requests, 1);
      return false;
    }
  }

  test("setting and unsetting the variable after import changes the next request of the same connection", async () => {
    const c = new Api({ port: server.port });
    delete process.env[ENV];
    assert.equal(await retriedOnce(c), false);
    process.env[ENV] = "1";
    assert.equal(await retriedOnce(c), true);
    process.env[ENV] = "0";
    assert.equal(await retriedOnce(c), false);
    delete process.env[ENV];
    assert.equal(await retriedOnce(c), false);
    await c.close();
  });

  test("precedence: retryFailed, then a non-empty variable, then settings.retryFailedHttpRequests", async () => {
    const c = new Api({ port: server.port });
    settings.retryFailedHttpRequests = true;
    process.env[ENV] = "";
    assert.equal(await retriedOnce(c), true, "empty: settings decide");
    process.env[ENV] = "false";
    assert.equal(await retriedOnce(c), false, "a non-empty variable wins over settings");
    process.env[ENV] = "yes";
    settings.retryFailedHttpRequests = false;
    assert.equal(await retriedOnce(c), true, "a non-empty variable wins over settings");
    assert.equal(await retriedOnce(c, false), false, "retryFailed wins over the variable");
    delete process.env[ENV];
    assert.equal(await retriedOnce(c, true), true, "retryFailed wins over settings");
    await c.close();
  });
});

describe("R14: the variable is read once the first attempt has failed; that attempt's time counts against the budget", () => {
  const saved = process.env[ENV];
  const slot = fakeClockEachTest();
  let server: TestServer;
  let requests = 0;
  let firstAttemptMs = 0;
  before(async () => {
    server = await startServer((_req, res) => {
      requests += 1;
      // The first attempt takes `firstAttemptMs` (fake) ms of the budget before its 503.
      if (requests === 1) slot.clock.advance(firstAttemptMs);
      sendJson(res, requests === 1 ? 503 : 200, { n: requests });
    });
  });
  after(() => server.close());
  afterEach(() => {
    if (saved === undefined) delete process.env[ENV];
    else process.env[ENV] = saved;
  });

  for (const [ms, retried] of [[0, true], [900, false]] as const) {
    test(`a first attempt of ${ms} ms in a 1,000 ms budget with a 200 ms retry delay: ${retried ? "retried" : "raised, the delay no longer fits"}`, async () => {
      process.env[ENV] = "1";
      requests = 0;
      firstAttemptMs = ms;
      const c = new Api({ port: server.port, timeout: 1000, retryDelay: 200 });
      if (retried) assert.equal((await c.request<{ n: number }>("/")).object.n, 2);
      else await assert.rejects(c.request("/"), (e: unknown) => e instanceof BaseHTTPError && e.statusCode === 503);
      assert.equal(requests, retried ? 2 : 1);
      await c.close();
    });
  }
});

describe("libcloud: test_retry_limit.py FailedRequestRetryTestCase (os.environ patched after import)", () => {
  const saved = process.env[ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[ENV];
    else process.env[ENV] = saved;
  });

  test("libcloud: test_retry_connection: a connection error is retried once the variable is set, and raised at the end", async () => {
    const connection = new Api({ port: 1, timeout: 1000, retryDelay: 200 });
    delete process.env[ENV];
    await assert.rejects(connection.request("/"), (e: unknown) => e instanceof ConnectionError && (e as { attempts?: number }).attempts === undefined);
    process.env[ENV] = "True";
    await assert.rejects(connection.request("/"), (e: unknown) => {
      assert.ok(e instanceof ConnectionError);
      assert.equal(e.code, "ECONNREFUSED");
      // libcloud counts 6 calls (0, 200 … 1000 ms); the count under libcloud-ts's retry bound is the retry tests' to pin.
      assert.ok(((e as { attempts?: number }).attempts ?? 1) > 1, "not retried");
      return true;
    });
    await connection.close();
  });
});
