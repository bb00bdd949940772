// Faithful translations of libcloud's own tests of the response constructors, exception_from_message
// and fractional Retry-After (libcloud/test/test_response_classes.py, test_connection.py), plus the
// constructor behaviour issue 11 names: a failed status throws that status's error.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  BaseHTTPError, Connection, Element, exceptionFromMessage, HTTPResponse, JsonResponse, MalformedResponseError,
  RateLimitReachedError, Response, Retry, RetryForeverOnRateLimitError, XmlResponse,
} from "../../src/index.js";
import { fakeClockEachTest } from "../helpers/clock.js";
import { sendJson, startServer } from "../helpers/server.js";

const fake = fakeClockEachTest();

/** libcloud's `requests_mock` response: a status, a body and headers, as the transport would hand them over. */
function httpResponse(text: string, status = 200, headers: Record<string, string> = {}): HTTPResponse {
  return new HTTPResponse({ status, reason: status === 200 ? "OK" : "", headers, body: Buffer.from(text) });
}

const mockConnection = new Connection({ host: "mock.com", port: 80, secure: false });

describe("libcloud test_response_classes.py", () => {
  // libcloud: test_XmlResponse_class
  test("XmlResponse parses its body", () => {
    const response = new XmlResponse(httpResponse("<foo>bar</foo>"), mockConnection);
    const parsed = response.parseBody() as Element;
    assert.equal(parsed.tag, "foo");
    assert.equal(parsed.text, "bar");
  });

  // libcloud: test_XmlResponse_class_malformed_response
  test("XmlResponse's constructor throws MalformedResponseError on a malformed body", () => {
    assert.throws(() => new XmlResponse(httpResponse("<foo>"), mockConnection), MalformedResponseError);
  });

  // libcloud: test_XmlResponse_class_zero_length_body_strip
  test("XmlResponse: a blank body parses as ''", () => {
    const response = new XmlResponse(httpResponse(" "), mockConnection);
    assert.equal(response.parseBody(), "");
  });

  // libcloud: test_JsonResponse_class_success
  test("JsonResponse parses its body", () => {
    const response = new JsonResponse(httpResponse('{"foo": "bar"}'), mockConnection);
    assert.deepEqual(response.parseBody(), { foo: "bar" });
    assert.deepEqual(response.object, { foo: "bar" });
  });

  // libcloud: test_JsonResponse_class_malformed_response
  test("JsonResponse's constructor throws MalformedResponseError on a malformed body", () => {
    assert.throws(() => new JsonResponse(httpResponse('{"foo": "bar"'), mockConnection), MalformedResponseError);
  });

  // libcloud: test_JsonResponse_class_zero_length_body_strip
  test("JsonResponse: a blank body parses as ''", () => {
    const response = new JsonResponse(httpResponse(" "), mockConnection);
    assert.equal(response.parseBody(), "");
  });
});

describe("Response.__init__: a failed status raises exception_from_message(status, parse_error(), headers)", () => {
  test("429 with Retry-After: 120 → RateLimitReachedError with retryAfter 120", () => {
    assert.throws(() => new JsonResponse(httpResponse('{"error": "slow down"}', 429, { "retry-after": "120" }), mockConnection),
      (e: unknown) => e instanceof RateLimitReachedError && e.retryAfter === 120 && e.statusCode === 429);
  });

  test("404 → BaseHTTPError with the parsed error; an unparseable error body keeps its status (PORTING 12)", () => {
    assert.throws(() => new JsonResponse(httpResponse('{"error": "gone"}', 404), mockConnection),
      (e: unknown) => e instanceof BaseHTTPError && e.statusCode === 404 && e.message === '{"error":"gone"}');
    assert.throws(() => new JsonResponse(httpResponse("<html>502 Bad Gateway</html>", 502), mockConnection),
      (e: unknown) => e instanceof BaseHTTPError && e.statusCode === 502 && e.cause instanceof MalformedResponseError);
  });

  test("the same class through request() behaves the same; a subclass's parseZeroLengthBody field is still honoured", async () => {
    const server = await startServer((req, res) => {
      if (req.url === "/empty") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end();
      } else sendJson(res, 429, { error: "slow" }, { "retry-after": "120" });
    });
    class Strict extends JsonResponse {
      override parseZeroLengthBody = true;
    }
    class C extends Connection {
      static override secure = false;
      static override responseCls = Strict;
    }
    const c = new C({ port: server.port });
    await assert.rejects(c.request("/"), (e: unknown) => e instanceof RateLimitReachedError && e.retryAfter === 120);
    await assert.rejects(c.request("/empty"), MalformedResponseError);
    await Promise.all([c.close(), server.close()]);
  });
});

describe("libcloud test_connection.py", () => {
  async function okServer() {
    return startServer((_req, res) => sendJson(res, 200, { ok: true }));
  }

  // libcloud: test_request_parses_errors
  test("a response class whose parseError raises RateLimitReachedError makes request() raise it", async () => {
    class ThrowingResponse extends Response {
      override parseError(): unknown {
        throw new RateLimitReachedError();
      }
      override success(): boolean {
        return false;
      }
    }
    const server = await okServer();
    class C extends Connection {
      static override secure = false;
      static override responseCls = ThrowingResponse;
    }
    const con = new C({ port: server.port });
    await assert.rejects(con.request("/"), RateLimitReachedError);
    await Promise.all([con.close(), server.close()]);
  });

  // libcloud: test_parse_errors_can_be_retried
  test("an error raised in the response constructor is retried with retryFailed", async () => {
    let parseErrorCounter = 0;
    let successCounter = 0;
    class RetryableThrowingError extends Response {
      override parseError(): unknown {
        parseErrorCounter += 1;
        if (parseErrorCounter > 1) return "success";
        throw new RateLimitReachedError();
      }
      override success(): boolean {
        successCounter += 1;
        return successCounter > 1;
      }
    }
    const server = await okServer();
    class C extends Connection {
      static override secure = false;
      static override responseCls = RetryableThrowingError;
    }
    const con = new C({ port: server.port });
    const result = await con.request("/", { retryFailed: true });
    assert.equal(result.success(), true);
    await Promise.all([con.close(), server.close()]);
  });

  // libcloud: test_retry_rate_limit_error_timeout
  test("a fractional Retry-After (0.2) is retried until the budget ends", async () => {
    let calls = 0;
    const retryRequest = new Retry({ timeout: 1000, retryDelay: 100, backoff: 1 });
    await assert.rejects(retryRequest.wrap(async () => {
      calls++;
      throw new RateLimitReachedError({ headers: { "retry-after": 0.2 as unknown as string } });
    })(), RateLimitReachedError);
    assert.ok(calls > 1, "Retry logic failed");
    assert.ok(fake.clock.sleeps.every((ms) => ms === 200), String(fake.clock.sleeps));
  });

  // libcloud: test_retry_rate_limit_error_success_on_second_attempt
  test("a fractional Retry-After (0.2) is honoured: one sleep of 200 ms, then success", async () => {
    let retryCounter = 0;
    const retryRequest = new Retry({ timeout: 1000, retryDelay: 100, backoff: 1 });
    const result = await retryRequest.wrap(async () => {
      retryCounter += 1;
      if (retryCounter < 2) throw new RateLimitReachedError({ headers: { "retry-after": "0.2" } });
      return "success";
    })();
    assert.equal(result, "success");
    assert.equal(retryCounter, 2, "Retry logic failed");
    assert.deepEqual(fake.clock.sleeps, [200]);
  });

  // libcloud: test_retry_rate_limit_error_forever_with_old_retry_class
  test("RetryForeverOnRateLimitError with a fractional Retry-After (0.1): 3×429 then success, then success: 5 calls", async () => {
    let retryCounter = 0;
    const fn = async (): Promise<string> => {
      retryCounter += 1;
      if (retryCounter < 4) throw new RateLimitReachedError({ headers: { "retry-after": "0.1" } });
      return "success";
    };
    const retryRequest = new RetryForeverOnRateLimitError({ timeout: 1000, retryDelay: 100, backoff: 1 });
    await retryRequest.wrap(fn)();
    assert.equal(await retryRequest.wrap(fn)(), "success");
    assert.equal(retryCounter, 5, "Retry logic failed");
  });
});

describe("exception_from_message: an HTTP-date Retry-After becomes delta seconds, for every status", () => {
  for (const status of [429, 503, 301]) {
    test(`status ${status}: the error's headers hold delta seconds; the caller's headers are not changed`, () => {
      const date = new Date(Date.now() + 120_000).toUTCString();
      const headers = { "retry-after": date, "content-type": "application/json" };
      const e = exceptionFromMessage(status, "wait", headers);
      const seconds = Number(e.headers["retry-after"]);
      assert.ok(seconds >= 119 && seconds <= 120, e.headers["retry-after"]);
      assert.equal(e.headers["content-type"], "application/json");
      assert.equal(headers["retry-after"], date);
      if (status === 429) assert.equal((e as RateLimitReachedError).retryAfter, seconds);
    });
  }

  test("a past HTTP-date becomes 0; delta seconds, fractions included, are kept as given", () => {
    assert.equal(exceptionFromMessage(503, "x", { "retry-after": "Wed, 21 Oct 2015 07:28:00 GMT" }).headers["retry-after"], "0");
    assert.equal(exceptionFromMessage(503, "x", { "retry-after": "0.2" }).headers["retry-after"], "0.2");
    assert.equal((exceptionFromMessage(429, "x", { "retry-after": "0.2" }) as RateLimitReachedError).retryAfter, 0.2);
  });
});
