// docs/RELIABILITY.md group T: transport faults, against real loopback servers (raw `net` servers where
// the fault needs hand-made bytes). Transport timeouts are real but short (200 ms); retry sleeps
// run on the fake clock.
import assert from "node:assert/strict";
import type { LookupFunction } from "node:net";
import { test } from "node:test";
import {
  ClientClosedError, ConfigError, Connection, ConnectionError, DnsError, JsonResponse, TimeoutError,
  type TransportOptions,
} from "../../src/index.js";
import { FakeClock } from "../../src/test/fake-clock.js";
import { setClock } from "../../src/utils/clock.js";
import { closedPort, respond, startRawServer } from "../helpers/raw-server.js";
import { startServer } from "../helpers/server.js";
import { assertNamesSite, assertNoSecret, assertTyped, rejection } from "./assert.js";

const OK = (body = "ok", extra = ""): string => `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

function connection(port: number, options: { timeout?: number; host?: string } = {}): Connection {
  return new Connection({ host: options.host ?? "127.0.0.1", port, secure: false, timeout: options.timeout ?? 200 });
}

/** A connection class whose transport resolves names with `lookup`. */
function withLookup(lookup: LookupFunction, extra: Partial<TransportOptions> = {}): typeof Connection {
  return class LookupConnection extends Connection {
    static override host = "api.provider.example";
    static override secure = false;
    protected override transportOptions(): TransportOptions {
      return { ...super.transportOptions(), lookup, ...extra };
    }
  };
}

test("T1: connection refused → ConnectionError{ECONNREFUSED}; one attempt with retries off, bounded attempts with retries on", { timeout: 5000 }, async () => {
  const port = await closedPort();
  const conn = connection(port);
  const err = await rejection(() => conn.request("/", { retryFailed: false }));
  const e = assertTyped(err, ConnectionError, "ECONNREFUSED");
  assert.equal(e.requestSent, false);
  assert.equal((err as { attempts?: number }).attempts, undefined, "no retry wrapper ran");
  assertNamesSite(err, "GET", `127.0.0.1:${port}`);
  assert.ok(e.cause !== undefined);
  const restore = setClock(new FakeClock());
  try {
    const retrying = new Connection({ host: "127.0.0.1", port, secure: false, timeout: 1000, retryDelay: 100 });
    const again = await rejection(() => retrying.request("/", { retryFailed: true }));
    assertTyped(again, ConnectionError, "ECONNREFUSED");
    const attempts = (again as { attempts: number }).attempts;
    assert.ok(attempts > 1 && attempts <= 11, `attempts bounded by the budget: ${attempts}`);
    await retrying.close();
  } finally {
    restore();
  }
  await conn.close();
});

test("T2: DNS failure (ENOTFOUND, EAI_AGAIN from an injected lookup) → DnsError naming the host, with libcloud's hint", { timeout: 5000 }, async () => {
  for (const code of ["ENOTFOUND", "EAI_AGAIN"]) {
    const failing: LookupFunction = (hostname, _options, callback) => {
      const error = Object.assign(new Error(`getaddrinfo ${code} ${hostname}`), { code, hostname });
      process.nextTick(() => (callback as (e: Error) => void)(error));
    };
    const Cls = withLookup(failing);
    const conn = new Cls({ port: 8080 });
    const err = await rejection(() => conn.request("/v1/things"));
    const e = assertTyped(err, DnsError, code);
    assert.equal(e.requestSent, false);
    assert.match(e.message, /api\.provider\.example/);
    assert.match(e.message, /Perhaps the "host" attribute of LookupConnection/);
    assertNamesSite(err, "GET", "api.provider.example:8080");
    await conn.close();
  }
});

test("T3: TCP connect never completes (injected lookup never calls back) → TimeoutError{phase:connect} within timeout ± 10%", { timeout: 5000 }, async () => {
  const never: LookupFunction = () => {};
  const Cls = withLookup(never);
  const conn = new Cls({ port: 8080, timeout: 300 });
  const started = performance.now();
  const err = await rejection(() => conn.request("/"));
  const elapsed = performance.now() - started;
  const e = assertTyped(err, TimeoutError, "ETIMEDOUT");
  assert.equal(e.phase, "connect");
  assert.equal(e.requestSent, false);
  // undici's connect timer is armed on the next tick; allow scheduling slack above +10 %.
  assert.ok(elapsed >= 270 && elapsed < 600, `timed out after ${Math.round(elapsed)} ms`);
  await conn.close();
});

test("T4: slow headers → TimeoutError{phase:headers}; a POST is not retried", { timeout: 5000 }, async () => {
  const server = await startRawServer(() => {}); // reads the request, never answers
  const restore = setClock(new FakeClock());
  try {
    const conn = connection(server.port);
    const err = await rejection(() => conn.request("/jobs", { method: "POST", data: "{}", retryFailed: true }));
    const e = assertTyped(err, TimeoutError, "ETIMEDOUT");
    assert.equal(e.phase, "headers");
    assert.equal(e.requestSent, true);
    assert.equal(server.heads.length, 1, "the POST was sent once");
    await conn.close();
  } finally {
    restore();
    await server.close();
  }
});

test("T5: body stalls after headers → TimeoutError{phase:body}, for buffered, raw download and raw upload requests", { timeout: 5000 }, async () => {
  const server = await startRawServer((socket, head) => {
    if (head.startsWith("PUT")) return; // the upload's response never comes
    respond(socket, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"partial\":");
  });
  try {
    const conn = connection(server.port);
    conn.responseCls = JsonResponse;
    const buffered = await rejection(() => conn.request("/data"));
    assert.equal(assertTyped(buffered, TimeoutError, "ETIMEDOUT").phase, "body");
    const raw = await conn.request("/data", { raw: true });
    const streamErr = await rejection(async () => {
      for await (const _chunk of raw.iterContent()) { /* drain */ }
    });
    assert.equal(assertTyped(streamErr, TimeoutError, "ETIMEDOUT").phase, "body");
    const upload = await rejection(() => conn.request("/upload", { method: "PUT", raw: true, data: Buffer.alloc(1024, 1) }));
    assert.equal(assertTyped(upload, TimeoutError, "ETIMEDOUT").phase, "headers");
    await conn.close();
  } finally {
    await server.close();
  }
});

test("T6: slow drip (each chunk within the idle timeout) → the overall request deadline fires (TimeoutError{phase:request})", { timeout: 5000 }, async () => {
  const timers = new Set<NodeJS.Timeout>();
  const server = await startRawServer((socket) => {
    respond(socket, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
    const timer = setInterval(() => socket.write("x"), 50);
    timers.add(timer);
    socket.on("close", () => clearInterval(timer));
  });
  try {
    // timeout 200 ms between chunks never fires; the deadline (here 600 ms) bounds the whole request.
    const Cls = class DripConnection extends Connection {
      protected override transportOptions(): TransportOptions {
        return { ...super.transportOptions(), requestDeadline: 600 };
      }
    };
    const conn = new Cls({ host: "127.0.0.1", port: server.port, secure: false, timeout: 200 });
    const started = performance.now();
    const err = await rejection(() => conn.request("/drip"));
    const elapsed = performance.now() - started;
    assert.equal(assertTyped(err, TimeoutError, "ETIMEDOUT").phase, "request");
    assert.ok(elapsed >= 580 && elapsed < 1500, `deadline after ${Math.round(elapsed)} ms`);
    // The default deadline is 10 × timeout.
    const plain = connection(server.port);
    plain.connect();
    assert.equal((plain.connection as unknown as { requestDeadline: number }).requestDeadline, 2000);
    await plain.close();
    await conn.close();
  } finally {
    for (const t of timers) clearInterval(t);
    await server.close();
  }
});

test("T7: RST mid-body after 200 and headers → ConnectionError from the body (buffered and streamed); JSON never parsed", { timeout: 5000 }, async () => {
  const server = await startRawServer((socket) => {
    socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"items\":[1,2,");
    setTimeout(() => socket.resetAndDestroy(), 20);
  });
  try {
    const conn = connection(server.port, { timeout: 2000 });
    conn.responseCls = JsonResponse;
    const err = await rejection(() => conn.request("/items"));
    const e = assertTyped(err, ConnectionError, /ECONNRESET|ERR_CONTENT_LENGTH_MISMATCH/);
    assert.equal(e.requestSent, true);
    const raw = await conn.request("/items", { raw: true });
    const streamErr = await rejection(async () => {
      for await (const _chunk of raw.iterContent()) { /* drain */ }
    });
    assertTyped(streamErr, ConnectionError, /ECONNRESET|ERR_CONTENT_LENGTH_MISMATCH/);
    await conn.close();
  } finally {
    await server.close();
  }
});

test("T8: server FIN before any response byte → ConnectionError; GET (retry on) retried once, POST not retried and requestSent", { timeout: 5000 }, async () => {
  const server = await startRawServer((socket, _head, index) => {
    if (index === 0 || index === 2) socket.end(); // first GET connection and the POST's: close at once
    else respond(socket, OK("second"));
  });
  const restore = setClock(new FakeClock());
  try {
    const conn = connection(server.port, { timeout: 2000 });
    const response = await conn.request("/", { retryFailed: true });
    assert.equal(response.body, "second");
    assert.equal(server.heads.length, 2, "the GET was retried once");
    const err = await rejection(() => conn.request("/jobs", { method: "POST", data: "x", retryFailed: true }));
    const e = assertTyped(err, ConnectionError, "ECONNRESET");
    assert.equal(e.requestSent, true);
    assert.match(e.message, /other side closed/);
    assert.equal(server.heads.length, 3, "the POST was sent once");
    await conn.close();
  } finally {
    restore();
    await server.close();
  }
});

test("T9: keep-alive race → idempotent GET re-sent once on a fresh socket, POST a typed error; Keep-Alive: timeout= honoured", { timeout: 5000 }, async () => {
  // Every connection answers its first request, then closes without answering the second: what a
  // client sees when the server's keep-alive timer fires just as the request goes out.
  let served = 0;
  const server = await startRawServer((socket) => {
    const s = socket as typeof socket & { answered?: boolean };
    if (s.answered) return void socket.destroy();
    s.answered = true;
    respond(socket, OK(`r${++served}`));
  });
  try {
    const conn = connection(server.port, { timeout: 2000 });
    assert.equal((await conn.request("/a")).body, "r1");
    assert.equal((await conn.request("/b")).body, "r2", "GET re-sent on a fresh socket, retries off");
    assert.equal(server.connections, 2);
    const err = await rejection(() => conn.request("/c", { method: "POST", data: "x" }));
    assert.equal(assertTyped(err, ConnectionError, "ECONNRESET").requestSent, true);
    assert.equal(server.connections, 2, "the POST was not re-sent");
    await conn.close();
  } finally {
    await server.close();
  }
  // A Keep-Alive: timeout=1 hint is within undici's safety margin: the socket is not reused.
  const hinted = await startRawServer((socket) => respond(socket, OK("h", "Keep-Alive: timeout=1\r\n")));
  try {
    const conn = connection(hinted.port, { timeout: 2000 });
    await conn.request("/1");
    await conn.request("/2");
    assert.equal(hinted.connections, 2, "a socket the server is about to close is not reused");
    await conn.close();
  } finally {
    await hinted.close();
  }
});

test("T10: server RSTs an idle pooled socket → no uncaughtException; the next request succeeds", { timeout: 5000 }, async () => {
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown): void => void uncaught.push(e);
  process.on("uncaughtException", onUncaught);
  const server = await startRawServer((socket, _head, index) => {
    respond(socket, OK(`c${index}`));
    if (index === 0) setTimeout(() => socket.resetAndDestroy(), 20);
  });
  try {
    const conn = connection(server.port, { timeout: 2000 });
    assert.equal((await conn.request("/")).body, "c0");
    await new Promise((r) => setTimeout(r, 80));
    assert.equal((await conn.request("/")).body, "c1");
    assert.deepEqual(uncaught, []);
    await conn.close();
  } finally {
    process.off("uncaughtException", onUncaught);
    await server.close();
  }
});

test("T11: unsolicited response on an idle keep-alive socket → discarded; the next request gets its own response", { timeout: 5000 }, async () => {
  const server = await startRawServer((socket, head) => {
    if (head.startsWith("GET /first")) {
      respond(socket, OK("first"));
      setTimeout(() => socket.write(OK("evil")), 20);
    } else {
      respond(socket, OK("mine"));
    }
  });
  try {
    const conn = connection(server.port, { timeout: 2000 });
    assert.equal((await conn.request("/first")).body, "first");
    await new Promise((r) => setTimeout(r, 80));
    let body: string | undefined;
    try {
      body = (await conn.request("/second")).body;
    } catch (error) {
      assertTyped(error, ConnectionError); // a typed error is acceptable; the injected body never is
    }
    assert.notEqual(body, "evil");
    if (body !== undefined) assert.equal(body, "mine");
    await conn.close();
  } finally {
    await server.close();
  }
});

test("T12: AbortSignal during connect, headers, mid-body and a retry backoff sleep → prompt AbortError with the reason; no further attempts", { timeout: 5000 }, async () => {
  const within = async (promise: Promise<unknown>, controller: AbortController, afterMs: number): Promise<void> => {
    setTimeout(() => controller.abort(), afterMs);
    const started = performance.now();
    const err = await rejection(() => promise);
    const late = performance.now() - started - afterMs;
    assert.equal(err, controller.signal.reason, "rejects with the signal's reason");
    assert.equal((err as Error).name, "AbortError");
    assert.ok(late < 100, `aborted ${Math.round(late)} ms late`);
  };
  // connect
  const Never = withLookup(() => {});
  const c1 = new Never({ port: 8080, timeout: 5000 });
  const a1 = new AbortController();
  await within(c1.request("/", { signal: a1.signal }), a1, 30);
  await c1.close();
  // headers and mid-body
  const server = await startRawServer((socket, head) => {
    if (head.startsWith("GET /body")) socket.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc");
  });
  const conn = connection(server.port, { timeout: 5000 });
  const a2 = new AbortController();
  await within(conn.request("/headers", { signal: a2.signal }), a2, 30);
  const a3 = new AbortController();
  const raw = await conn.request("/body", { raw: true, signal: a3.signal });
  await within((async () => { for await (const _c of raw.iterContent()) { /* drain */ } })(), a3, 30);
  // retry backoff sleep: the fake clock never wakes the sleeper; the abort must.
  const clock = new FakeClock({ auto: false });
  const restore = setClock(clock);
  try {
    const refused = await closedPort();
    const retrying = new Connection({ host: "127.0.0.1", port: refused, secure: false, timeout: 60_000, retryDelay: 10_000 });
    const a4 = new AbortController();
    const pending = retrying.request("/", { retryFailed: true, signal: a4.signal });
    while (clock.pending === 0) await new Promise((r) => setTimeout(r, 5));
    await within(pending, a4, 0);
    assert.equal(clock.sleeps.length, 1, "no further attempt was scheduled");
    await retrying.close();
  } finally {
    restore();
  }
  await conn.close();
  await server.close();
});

test("T13: 100 concurrent requests with a pool limit of 10 while one route hangs → the others complete over the 9 free sockets; the hung one times out alone", { timeout: 10_000 }, async () => {
  let open = 0;
  let mostOpen = 0;
  const server = await startServer((req, res) => {
    if (req.url === "/hang") return;
    res.end(req.url);
  });
  server.server.on("connection", (socket) => {
    mostOpen = Math.max(mostOpen, ++open);
    socket.on("close", () => open--);
  });
  try {
    // 1 s: undici's header timer ticks every ~0.5 s, and a loaded CI box needs slack.
    const conn = new Connection({ host: "127.0.0.1", port: server.port, secure: false, timeout: 1000, maxConnections: 10 });
    const results = await Promise.allSettled(Array.from({ length: 100 }, (_v, i) => conn.request(i === 0 ? "/hang" : `/r${i}`)));
    const failed = results.filter((r) => r.status === "rejected");
    assert.equal(failed.length, 1);
    assert.equal(assertTyped((failed[0] as PromiseRejectedResult).reason, TimeoutError).phase, "headers");
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 99);
    assert.ok(mostOpen <= 10 && mostOpen >= 2, `at most 10 sockets at once (saw ${mostOpen})`);
    await conn.close();
  } finally {
    await server.close();
  }
  for (const bad of [0, 1.5, -1, "10"]) {
    assertTyped((() => { try { return new Connection({ maxConnections: bad as number }); } catch (e) { return e; } })(), ConfigError);
  }
});

test("T14: close() while requests are in flight → they reject with ClientClosedError; close() twice is a no-op", { timeout: 5000 }, async () => {
  const server = await startRawServer((socket, head) => {
    if (head.startsWith("GET /body")) socket.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc");
  });
  try {
    const conn = connection(server.port, { timeout: 5000 });
    const inFlight = [conn.request("/headers"), conn.request("/headers2")].map((p) => p.then(() => assert.fail("resolved"), (e: unknown) => e));
    const raw = await conn.request("/body", { raw: true });
    await new Promise((r) => setTimeout(r, 30));
    await conn.close();
    await conn.close();
    for (const reason of await Promise.all(inFlight)) assertTyped(reason, ClientClosedError, "ERR_CLIENT_CLOSED");
    const bodyErr = await rejection(async () => { for await (const _c of raw.iterContent()) { /* drain */ } });
    assertTyped(bodyErr, ClientClosedError, "ERR_CLIENT_CLOSED");
    assertNoSecret(bodyErr, []);
  } finally {
    await server.close();
  }
});
