// docs/RELIABILITY.md group P: protocol violations and odd responses, written byte by byte by raw `net`
// servers (node:http would never send them).
import assert from "node:assert/strict";
import type net from "node:net";
import { test } from "node:test";
import * as zlib from "node:zlib";
import fc from "fast-check";
import {
  BaseHTTPError, Connection, ConnectionError, DecompressionError, JsonResponse, LibcloudError,
  MalformedResponseError, RedirectError, ResponseTooLargeError,
} from "../../src/index.js";
import { respond, startRawServer, type RawServer } from "../helpers/raw-server.js";
import { startServer } from "../helpers/server.js";
import { assertNamesSite, assertTyped, rejection } from "./assert.js";

function connection(server: { port: number }, options: { timeout?: number; maxBufferedBodyBytes?: number } = {}): Connection {
  return new Connection({ host: "127.0.0.1", port: server.port, secure: false, timeout: options.timeout ?? 2000, ...(options.maxBufferedBodyBytes === undefined ? {} : { maxBufferedBodyBytes: options.maxBufferedBodyBytes }) });
}

/** A raw server answering every request with `bytes` (then closing when `end`). */
async function serving(bytes: string | Buffer | ((head: string, socket: net.Socket) => void), end = true): Promise<RawServer> {
  return startRawServer((socket, head) => {
    if (typeof bytes === "function") return bytes(head, socket);
    respond(socket, bytes, { end });
  });
}

async function withServer(server: RawServer, fn: (conn: Connection) => Promise<void>, options: { maxBufferedBodyBytes?: number } = {}): Promise<void> {
  const conn = connection(server, options);
  try {
    await fn(conn);
  } finally {
    await conn.close();
    await server.close();
  }
}

test("P1: Content-Length 10, 3 bytes, close → ConnectionError{ERR_CONTENT_LENGTH_MISMATCH}, never a short success", { timeout: 5000 }, async () => {
  await withServer(await serving("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"), async (conn) => {
    const err = await rejection(() => conn.request("/"));
    assertTyped(err, ConnectionError, /ERR_CONTENT_LENGTH_MISMATCH|ECONNRESET/);
    assertNamesSite(err, "GET", "127.0.0.1");
    const raw = await conn.request("/", { raw: true });
    const streamErr = await rejection(async () => { for await (const _c of raw.iterContent()) { /* drain */ } });
    assertTyped(streamErr, ConnectionError, /ERR_CONTENT_LENGTH_MISMATCH|ECONNRESET/);
  });
});

test("P2: body longer than Content-Length → the extra bytes are not delivered and the connection is not reused", { timeout: 5000 }, async () => {
  let n = 0;
  const server = await serving((_head, socket) => respond(socket, `HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nr${++n}_EXTRA-BYTES`, { end: false }));
  await withServer(server, async (conn) => {
    assert.equal((await conn.request("/a")).body, "r1_");
    let second: string | undefined;
    try {
      second = (await conn.request("/b")).body;
    } catch (error) {
      assertTyped(error, ConnectionError);
    }
    if (second !== undefined) assert.equal(second, "r2_", "the second request gets its own response");
    assert.ok(!String(second).includes("EXTRA"));
    assert.equal(server.connections, 2, "the connection that carried extra bytes was not reused");
  });
});

test("P3: Transfer-Encoding chunked with Content-Length, or two different Content-Lengths → typed error and the connection is closed (smuggling defence)", { timeout: 5000 }, async () => {
  for (const head of [
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
  ]) {
    const server = await serving((_h, socket) => respond(socket, server.connections === 1 ? head : "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext"), false);
    await withServer(server, async (conn) => {
      const err = await rejection(() => conn.request("/"));
      // llhttp refuses TE+CL (HPE_UNEXPECTED_CONTENT_LENGTH); undici refuses duplicate lengths.
      assertTyped(err, ConnectionError, /^HPE_|ERR_CONTENT_LENGTH_MISMATCH/);
      assert.equal((await conn.request("/next")).body, "next");
      assert.equal(server.connections, 2, "the smuggling-suspect connection was not reused");
    });
  }
});

test("P4: truncated chunked body, and a huge hex chunk size → ConnectionError, no large allocation", { timeout: 5000 }, async () => {
  await withServer(await serving("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"), async (conn) => {
    const err = await rejection(() => conn.request("/"));
    assertTyped(err, ConnectionError, /ECONNRESET|^HPE_/);
    assert.match((err as Error).message, /other side closed|closed|EOF|Malformed/i);
  });
  const before = process.memoryUsage().arrayBuffers;
  await withServer(await serving("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFFFFFF\r\nabc"), async (conn) => {
    const err = await rejection(() => conn.request("/"));
    assertTyped(err, ConnectionError, /^HPE_/);
  });
  await withServer(await serving("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"), async (conn) => {
    assertTyped(await rejection(() => conn.request("/")), ConnectionError, /^HPE_/);
  });
  assert.ok(process.memoryUsage().arrayBuffers - before < 16 * 1024 * 1024, "no allocation for the announced chunk");
});

test("P5: garbage status lines, headers and random bytes (fast-check, bounded) → only errors of our hierarchy, no crash, no hang", { timeout: 30_000 }, async () => {
  let next: Buffer = Buffer.alloc(0);
  const server = await startRawServer((socket) => respond(socket, next, { end: true }));
  const conn = connection(server, { timeout: 1000 });
  const statusLine = fc.oneof(
    fc.constantFrom("HTTP/1.1 200 OK", "HTTP/1.1 999 X", "HTTP/1.1 20 OK", "HTTP/9.9 200 OK", "HTTP/1.1 -1 OK", "HTTP/1.1 200", "HTTP/1.1  200 OK", "ICY 200 OK", ""),
    fc.string({ maxLength: 40 }).map((s) => `HTTP/1.1 ${s}`),
    fc.string({ maxLength: 60 }),
  );
  const header = fc.oneof(
    fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 40 })).map(([k, v]) => `${k}: ${v}`),
    fc.constantFrom("Content-Length: -1", "Content-Length: 1e3", "Content-Length: 99999999999999999999", "Transfer-Encoding: gzip, chunked",
      "Transfer-Encoding: chunked", "Content-Encoding: gzip", "Content-Encoding: br, br, br, br, br, br", "Location: http://[::1", " folded", "\tx", ":", "Set-Cookie: a"),
  );
  const response = fc.oneof(
    fc.tuple(statusLine, fc.array(header, { maxLength: 6 }), fc.string({ maxLength: 50 }))
      .map(([s, hs, body]) => Buffer.from(`${s}\r\n${hs.join("\r\n")}\r\n\r\n${body}`, "latin1")),
    fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  );
  const started = performance.now();
  try {
    await fc.assert(fc.asyncProperty(response, async (bytes) => {
      next = bytes;
      try {
        await conn.request("/fuzz");
      } catch (error) {
        if (!(error instanceof LibcloudError) && !(error instanceof BaseHTTPError)) throw error;
      }
    }), { numRuns: 200, interruptAfterTimeLimit: 10_000, markInterruptAsFailure: false });
  } finally {
    await conn.close();
    await server.close();
  }
  assert.ok(performance.now() - started < 20_000);
});

test("P6: response headers over 16 KiB or 10,000 headers → ConnectionError{ERR_HEADERS_OVERFLOW}; whitespace-heavy values in < 50 ms", { timeout: 5000 }, async () => {
  for (const headers of [`X-Big: ${"a".repeat(20_000)}\r\n`, Array.from({ length: 10_000 }, (_v, i) => `X-${i}: 1\r\n`).join("")]) {
    await withServer(await serving(`HTTP/1.1 200 OK\r\n${headers}Content-Length: 0\r\n\r\n`), async (conn) => {
      assertTyped(await rejection(() => conn.request("/")), ConnectionError, /ERR_HEADERS_OVERFLOW|HPE_HEADER_OVERFLOW/);
    });
  }
  const spaces = " ".repeat(7000);
  const redos = `HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1${spaces}x\r\nContent-Encoding: gzip${spaces},${spaces}identity\r\nContent-Type: text/plain;${spaces}charset=utf-8\r\nContent-Length: 0\r\n\r\n`;
  await withServer(await serving(redos, false), async (conn) => {
    await conn.request("/warm").catch(() => {});
    // Best of 3 round trips: a ReDoS is slow every time, a loaded CI machine only sometimes.
    let elapsed = Infinity;
    for (let run = 0; run < 3 && elapsed >= 50; run++) {
      const started = performance.now();
      const err = await rejection(() => conn.request("/"));
      elapsed = Math.min(elapsed, performance.now() - started);
      assert.ok(err instanceof BaseHTTPError || err instanceof LibcloudError);
    }
    assert.ok(elapsed < 50, `took ${elapsed.toFixed(1)} ms`);
  });
});

test("P7: headers named __proto__, constructor, toString, duplicate Set-Cookie, mixed case → null-prototype map, case-insensitive names, duplicates kept raw", { timeout: 5000 }, async () => {
  const server = await serving("HTTP/1.1 200 OK\r\n__proto__: polluted\r\nconstructor: c\r\ntoString: t\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-MiXeD: Yes\r\nContent-Length: 2\r\n\r\nok");
  await withServer(server, async (conn) => {
    const response = await conn.request("/");
    assert.equal(Object.getPrototypeOf(response.headers), null);
    assert.equal(response.headers["__proto__"], "polluted");
    assert.equal(response.headers["constructor"], "c");
    assert.equal(response.headers["tostring"], "t");
    assert.equal(response.headers["x-mixed"], "Yes");
    assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
    assert.equal(Object.prototype.toString, Object.getPrototypeOf({}).toString);
    const raw: readonly string[] | undefined = response.response.rawHeaders;
    if (raw !== undefined) {
      const cookies = raw.filter((_v, i) => i % 2 === 1 && raw[i - 1]!.toLowerCase() === "set-cookie");
      assert.deepEqual(cookies, ["a=1", "b=2"]);
    }
    assert.match(response.headers["set-cookie"] ?? "", /a=1.*b=2/);
  });
});

test("P8: Content-Encoding gzip with a non-gzip body, and a gzip stream missing its last byte → DecompressionError", { timeout: 5000 }, async () => {
  await withServer(await serving("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 11\r\n\r\nnot gzip!!!"), async (conn) => {
    const err = await rejection(() => conn.request("/"));
    assertTyped(err, DecompressionError, /^Z_/);
    assert.match((err as Error).message, /incorrect header check/);
  });
  const gz = zlib.gzipSync(Buffer.from("hello world, ".repeat(100)));
  const cut = gz.subarray(0, gz.length - 1);
  const head = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${cut.length}\r\n\r\n`);
  await withServer(await serving(Buffer.concat([head, cut])), async (conn) => {
    const err = await rejection(() => conn.request("/"));
    assertTyped(err, DecompressionError);
    assert.match((err as Error).message, /unexpected end of file/);
    const raw = await conn.request("/", { raw: true });
    assertTyped(await rejection(async () => { for await (const _c of raw.iterContent()) { /* drain */ } }), DecompressionError);
  });
});

test("P9: decompression bombs (gzip 1 GiB, brotli 256 MiB decoded) → ResponseTooLargeError at the decoded limit; RSS grows < 64 MB", { timeout: 30_000 }, async () => {
  // 1 MiB of zeros gzips to ~1 KiB; 1024 gzip members in a row decode to 1 GiB (multi-member gzip).
  const member = zlib.gzipSync(Buffer.alloc(1024 * 1024), { level: 9 });
  const brotli = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const enc = zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } });
    enc.on("data", (c: Buffer) => chunks.push(c)).on("end", () => resolve(Buffer.concat(chunks))).on("error", reject);
    const zeros = Buffer.alloc(1024 * 1024);
    let i = 0;
    const write = (): void => {
      while (i < 256) {
        i++;
        if (!enc.write(zeros)) return void enc.once("drain", write);
      }
      enc.end();
    };
    write();
  });
  const server = await startServer((req, res) => {
    if (req.url === "/br") {
      res.writeHead(200, { "content-encoding": "br", "content-length": brotli.length });
      return void res.end(brotli);
    }
    res.writeHead(200, { "content-encoding": "gzip", "content-length": member.length * 1024 });
    let sent = 0;
    const pump = (): void => {
      while (sent < 1024) {
        sent++;
        if (!res.write(member)) return void res.once("drain", pump);
      }
      res.end();
    };
    res.on("close", () => { sent = 1024; });
    pump();
  });
  const conn = connection(server, { maxBufferedBodyBytes: 16 * 1024 * 1024 });
  let sampler: NodeJS.Timeout | undefined;
  try {
    (globalThis as { gc?: () => void }).gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
    // The default Accept-Encoding is gzip,deflate; a caller that asks for br gets it decoded, capped too.
    for (const [path, headers] of [["/gz", {}], ["/br", { "Accept-Encoding": "gzip, deflate, br" }]] as const) {
      const err = await rejection(() => conn.request(path, { headers }));
      const e = assertTyped(err, ResponseTooLargeError, "ERR_RESPONSE_TOO_LARGE");
      assert.equal(e.limit, 16 * 1024 * 1024);
      assert.match(e.message, /decoded/);
    }
    // br that was not asked for is handed over as received: the 256 MiB is never produced.
    const asReceived = await conn.request("/br");
    assert.equal(asReceived.headers["content-encoding"], "br");
    assert.ok(Buffer.byteLength(asReceived.body, "latin1") <= brotli.length);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    assert.ok(peak - before < 64 * 1024 * 1024, `RSS grew by ${((peak - before) / 1048576).toFixed(1)} MiB`);
  } finally {
    clearInterval(sampler);
    await conn.close();
    await server.close();
  }
});

test("P10: a Content-Encoding chain of 6 codings is rejected; 5 are decoded", { timeout: 5000 }, async () => {
  let body = Buffer.from("five layers deep");
  for (let i = 0; i < 5; i++) body = zlib.gzipSync(body);
  const head = (codings: string): Buffer => Buffer.from(`HTTP/1.1 200 OK\r\nContent-Encoding: ${codings}\r\nContent-Length: ${body.length}\r\n\r\n`);
  await withServer(await serving(Buffer.concat([head("gzip, gzip, gzip, gzip, gzip"), body]), false), async (conn) => {
    assert.equal((await conn.request("/")).body, "five layers deep");
  });
  await withServer(await serving(Buffer.concat([head("gzip, gzip, gzip, gzip, gzip, identity, gzip"), body]), false), async (conn) => {
    assertTyped(await rejection(() => conn.request("/")), DecompressionError, "ERR_TOO_MANY_CODINGS");
  });
});

test("P11: HEAD, 204 and 304 with Content-Length but no body → resolve at once with an empty body", { timeout: 5000 }, async () => {
  const server = await serving((head, socket) => {
    const status = head.startsWith("HEAD") ? "200 OK" : head.includes("/204") ? "204 No Content" : "304 Not Modified";
    respond(socket, `HTTP/1.1 ${status}\r\nContent-Length: 1234\r\n\r\n`);
  }, false);
  await withServer(server, async (conn) => {
    conn.responseCls = class extends JsonResponse {
      override success(): boolean {
        return this.status < 400;
      }
    };
    const started = performance.now();
    for (const [path, method] of [["/head", "HEAD"], ["/204", "GET"], ["/304", "GET"]] as const) {
      const response = await conn.request(path, { method });
      assert.equal(response.body, "");
    }
    assert.ok(performance.now() - started < 500);
  });
});

test("P12: 103 Early Hints (and 102) before the final response → ignored; an unsolicited 100 Continue → typed ConnectionError (undici refuses it)", { timeout: 5000 }, async () => {
  // RFC 9110 lets a client receive unexpected 1xx responses; undici 7 accepts 102/103 but destroys
  // the socket on a 100 it did not ask for ("bad response"). We surface that as a typed error.
  const server = await serving((head, socket) => respond(socket, head.includes("/100")
    ? "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal"
    : "HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal"), false);
  await withServer(server, async (conn) => {
    const response = await conn.request("/103");
    assert.equal(response.status, 200);
    assert.equal(response.body, "final");
    // The 103's headers are not the response's (they were merged into it before H4's fix).
    assert.equal(response.headers["link"], undefined);
    const raw = await conn.request("/103", { raw: true });
    assert.equal(raw.headers["link"], undefined);
    assert.equal((await raw.body()).toString(), "final");
    const err = await rejection(() => conn.request("/100"));
    assertTyped(err, ConnectionError);
    assert.match((err as Error).message, /bad response/);
  });
});

test("P13: HTTP/1.0 close-delimited body, plain and gzip → read to EOF and accepted", { timeout: 5000 }, async () => {
  await withServer(await serving("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end"), async (conn) => {
    assert.equal((await conn.request("/")).body, "until the end");
  });
  const gz = zlib.gzipSync(Buffer.from("compressed to the end"));
  await withServer(await serving(Buffer.concat([Buffer.from("HTTP/1.0 200 OK\r\nContent-Encoding: gzip\r\n\r\n"), gz])), async (conn) => {
    assert.equal((await conn.request("/")).body, "compressed to the end");
  });
});

test("P14: redirect loop → RedirectError{ERR_TOO_MANY_REDIRECTS} after 10 redirects", { timeout: 5000 }, async () => {
  const server = await startServer((req, res) => {
    res.writeHead(302, { location: req.url === "/a" ? "/b" : "/a" });
    res.end();
  });
  const conn = connection(server);
  try {
    const err = await rejection(() => conn.request("/a"));
    assertTyped(err, RedirectError, "ERR_TOO_MANY_REDIRECTS");
    assert.equal(server.requests.length, 11, "the first request and 10 redirects");
  } finally {
    await conn.close();
    await server.close();
  }
});

test("P15: redirect with an invalid Location (empty, http://[::1) → RedirectError{ERR_INVALID_REDIRECT}, no crash", { timeout: 5000 }, async () => {
  for (const location of ["", "http://[::1", "http://exa mple.com/"]) {
    await withServer(await serving(`HTTP/1.1 301 Moved\r\nLocation: ${location}\r\nContent-Length: 0\r\n\r\n`, false), async (conn) => {
      assertTyped(await rejection(() => conn.request("/")), RedirectError, "ERR_INVALID_REDIRECT");
    });
  }
});

test("P16: redirect to file:, unix:, data: or ftp: → RedirectError{ERR_REDIRECT_SCHEME}", { timeout: 5000 }, async () => {
  for (const location of ["file:///etc/passwd", "unix:/var/run/docker.sock:/containers/json", "data:text/plain,hi", "ftp://127.0.0.1/x"]) {
    await withServer(await serving(`HTTP/1.1 302 Found\r\nLocation: ${location}\r\nContent-Length: 0\r\n\r\n`, false), async (conn) => {
      const err = await rejection(() => conn.request("/"));
      assertTyped(err, RedirectError, "ERR_REDIRECT_SCHEME");
      assert.ok(!(err as Error).message.includes("passwd"));
    });
  }
});

test("P17: a 5xx/4xx whose body is an HTML proxy page instead of JSON → the status's HTTP error, parse failure as cause", { timeout: 5000 }, async () => {
  const html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
  for (const status of [502, 429, 404]) {
    const server = await serving(`HTTP/1.1 ${status} X\r\nContent-Type: text/html\r\nContent-Length: ${html.length}\r\n\r\n${html}`, false);
    await withServer(server, async (conn) => {
      conn.responseCls = JsonResponse;
      const err = await rejection(() => conn.request("/"));
      assert.ok(err instanceof BaseHTTPError, `got ${String(err)}`);
      assert.equal(err.code, status);
      assert.ok((err as { cause?: unknown }).cause instanceof MalformedResponseError);
    });
  }
});
