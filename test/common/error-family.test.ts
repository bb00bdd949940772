// One error family (issue 12 §2): every error the library throws on purpose is a LibcloudError,
// every error from an HTTP status has statusCode, transport errors keep their string code, and
// per-call retry options reach the retry class from request().
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type ResponseClass,
  BaseHTTPError, ConfigError, Connection, ConnectionError, exceptionFromMessage, InvalidCredsError, JsonResponse,
  LibcloudError, MalformedResponseError, ProviderError, RateLimitReachedError, ServiceUnavailableError, parseXml,
} from "../../src/index.js";
import { ContainerDoesNotExistError, ObjectDoesNotExistError } from "../../src/storage/index.js";
import { MockHttp, MockHttpError } from "../../src/test/index.js";
import { fakeClockEachTest } from "../helpers/clock.js";
import { sendJson, startServer } from "../helpers/server.js";

const fake = fakeClockEachTest();

class Api extends Connection {
  static override secure = false;
  static override responseCls: ResponseClass = JsonResponse;
}

describe("one LibcloudError family", () => {
  test("HTTP errors, provider errors, parse errors, storage errors and the test kit's errors are LibcloudErrors", () => {
    const errors: unknown[] = [
      new BaseHTTPError(500, "x"), new RateLimitReachedError(), exceptionFromMessage(404, "gone"), new ProviderError("p", 418),
      new InvalidCredsError(), new ServiceUnavailableError(), new MalformedResponseError("m"),
      new ContainerDoesNotExistError(undefined, { containerName: "c" }), new ObjectDoesNotExistError(undefined, { objectName: "o" }),
      new MockHttpError("no method", "_x", []),
    ];
    assert.throws(() => parseXml("<a>"), LibcloudError);
    for (const e of errors) assert.ok(e instanceof LibcloudError, (e as Error).name);
  });

  test("statusCode on every error that comes from an HTTP status; libcloud's code and httpCode are aliases", () => {
    const http = new BaseHTTPError(502, "bad gateway", { a: "1" });
    assert.equal(http.statusCode, 502);
    assert.equal(http.code, 502);
    assert.equal(new RateLimitReachedError().statusCode, 429);
    assert.equal(new RateLimitReachedError().code, 429);
    const provider = new ProviderError("teapot", 418);
    assert.equal(provider.statusCode, 418);
    assert.equal(provider.httpCode, 418);
    assert.equal(new InvalidCredsError().statusCode, 401);
    assert.equal(new InvalidCredsError("forbidden", { statusCode: 403 }).httpCode, 403);
    assert.equal(new ServiceUnavailableError().statusCode, 503);
    assert.equal(new LibcloudError("no status").statusCode, undefined);
    assert.ok(!Object.hasOwn(new LibcloudError("no status"), "statusCode"));
    assert.equal(JSON.parse(JSON.stringify(http)).statusCode, 502);
  });

  test("through request(): a 404, a raw 503 and a typed error thrown by parseError all carry statusCode; a refused port keeps its string code", async () => {
    const server = await startServer((req, res) => {
      if (req.url === "/raw") sendJson(res, 503, { busy: true });
      else sendJson(res, 404, { error: "nope" });
    });
    class Storage extends JsonResponse {
      override parseError(): unknown {
        throw new ContainerDoesNotExistError("no such container", { containerName: "c" });
      }
    }
    class StorageApi extends Api {
      static override responseCls = Storage;
    }
    const c = new Api({ port: server.port });
    await assert.rejects(c.request("/missing"), (e: unknown) => e instanceof LibcloudError && e instanceof BaseHTTPError && e.statusCode === 404);
    await assert.rejects(c.request("/raw", { raw: true }), (e: unknown) => e instanceof LibcloudError && e.statusCode === 503);
    const s = new StorageApi({ port: server.port });
    await assert.rejects(s.request("/missing"), (e: unknown) => e instanceof ContainerDoesNotExistError && e.statusCode === 404);
    const refused = new Api({ port: 1 });
    await assert.rejects(refused.request("/"), (e: unknown) => e instanceof LibcloudError && e instanceof ConnectionError
      && typeof e.code === "string" && e.code === "ECONNREFUSED" && e.statusCode === undefined);
    await Promise.all([c.close(), s.close(), refused.close(), server.close()]);
  });

  test("MockHttp failures are LibcloudErrors too", async () => {
    class Mock extends MockHttp {}
    class C extends Api {
      static override connCls = Mock;
    }
    const c = new C();
    await assert.rejects(c.request("/unknown"), (e: unknown) => e instanceof LibcloudError && e instanceof MockHttpError);
  });
});

describe("per-call retry options in request()", () => {
  async function failing(status: number, times: number) {
    let n = 0;
    return startServer((_req, res) => {
      n++;
      if (n <= times) sendJson(res, status, { n });
      else sendJson(res, 200, { n });
    });
  }

  test("retry: { maxAttempts, retryDelay, backoff, onRetry } turns retrying on and is honoured", async () => {
    const server = await failing(503, 100);
    const c = new Api({ port: server.port });
    const seen: Array<{ attempt: number; delayMs: number; status: number | undefined }> = [];
    await assert.rejects(c.request("/", {
      retry: {
        maxAttempts: 4, retryDelay: 100, backoff: 3,
        onRetry: ({ attempt, delayMs, error }) => seen.push({ attempt, delayMs, status: (error as LibcloudError).statusCode }),
      },
    }), (e: unknown) => e instanceof BaseHTTPError && e.statusCode === 503 && (e as unknown as { attempts: number }).attempts === 4);
    assert.equal(server.requests.length, 4);
    assert.deepEqual(seen.map((s) => [s.attempt, s.status]), [[1, 503], [2, 503], [3, 503]]);
    const sleeps = fake.clock.sleeps;
    assert.equal(sleeps.length, 3);
    for (const [i, base] of [100, 300, 900].entries()) assert.ok(sleeps[i]! >= base && sleeps[i]! <= base * 1.1, `${sleeps[i]} vs ${base}`);
    assert.deepEqual(seen.map((s) => s.delayMs), sleeps);
    await Promise.all([c.close(), server.close()]);
  });

  test("retryFailed: false wins over retry options; retry options win over the connection's", async () => {
    const server = await failing(503, 100);
    const c = new Api({ port: server.port, maxAttempts: 2, retryDelay: 50 });
    await assert.rejects(c.request("/", { retryFailed: false, retry: { maxAttempts: 5 } }), BaseHTTPError);
    assert.equal(server.requests.length, 1);
    await assert.rejects(c.request("/", { retryFailed: true }), BaseHTTPError);
    assert.equal(server.requests.length, 3);
    await assert.rejects(c.request("/", { retry: { maxAttempts: 3 } }), BaseHTTPError);
    assert.equal(server.requests.length, 6);
    assert.ok(fake.clock.sleeps.every((ms) => ms >= 50));
    await Promise.all([c.close(), server.close()]);
  });

  test("unknown retry keys are a TypeError naming the key; bad values a ConfigError; nothing is sent", async () => {
    const server = await failing(503, 0);
    const c = new Api({ port: server.port });
    await assert.rejects(c.request("/", { retry: { max_attempts: 3 } as never }), (e: unknown) => e instanceof TypeError && /max_attempts/.test(e.message) && /maxAttempts/.test(e.message));
    await assert.rejects(c.request("/", { retry: true as never }), TypeError);
    for (const bad of [0, -1, 1.5, Number.NaN, "3"]) {
      await assert.rejects(c.request("/", { retry: { maxAttempts: bad as never } }), ConfigError, String(bad));
    }
    assert.throws(() => new Api({ maxAttempts: 0 }), ConfigError);
    assert.equal(server.requests.length, 0);
    await Promise.all([c.close(), server.close()]);
  });
});
