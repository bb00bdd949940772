// docs/RELIABILITY.md group M, transport scenarios (M1, M2, M5, M7, M8, M9, M10, M13). M3, M4, M6, M11
// and M12 belong to the storage driver and are tested there.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { test } from "node:test";
import * as zlib from "node:zlib";
import {
  BaseHTTPError, Connection, ConnectionError, LibcloudError, ResponseTooLargeError,
} from "../../src/index.js";
import { FakeClock } from "../../src/test/fake-clock.js";
import { setClock } from "../../src/utils/clock.js";
import { respond, startRawServer } from "../helpers/raw-server.js";
import { startServer } from "../helpers/server.js";
import { assertTyped, rejection } from "./assert.js";

const sha = (data: Buffer): string => createHash("sha256").update(data).digest("hex");

function to(port: number, options: { timeout?: number; maxBufferedBodyBytes?: number } = {}): Connection {
  return new Connection({ host: "127.0.0.1", port, secure: false, timeout: options.timeout ?? 5000, ...(options.maxBufferedBodyBytes === undefined ? {} : { maxBufferedBodyBytes: options.maxBufferedBodyBytes }) });
}

test("M1: streamed download (up to 1 GiB) with a consumer that pauses → server writes < 2 MB during the pause; RSS growth < 64 MB", { timeout: 15_000 }, async () => {
  // The body would be 1 GiB; the consumer reads 8 MiB, pauses 500 ms (2 s in the scenario; the
  // property is the same and the suite stays fast), then stops. The server writes only on 'drain'.
  let serverSocket: Socket | undefined;
  const server = await startServer((req, res) => {
    serverSocket = req.socket;
    const chunk = Buffer.alloc(64 * 1024, 1);
    let sent = 0;
    res.writeHead(200, { "content-length": 1024 * 1024 * 1024 });
    const pump = (): void => {
      while (sent < 16384) {
        sent++;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      res.end();
    };
    res.on("close", () => { sent = Infinity; });
    pump();
  });
  const conn = to(server.port);
  try {
    const rssBefore = process.memoryUsage().rss;
    const response = await conn.request("/big", { stream: true });
    let read = 0;
    let pausedGrowth = -1;
    for await (const chunk of response.iterContent()) {
      read += chunk.length;
      if (read >= 8 * 1024 * 1024) {
        await new Promise((r) => setTimeout(r, 100)); // let kernel and stream buffers fill
        const start = serverSocket!.bytesWritten;
        await new Promise((r) => setTimeout(r, 500));
        pausedGrowth = serverSocket!.bytesWritten - start;
        break;
      }
    }
    assert.ok(pausedGrowth >= 0 && pausedGrowth < 2 * 1024 * 1024, `server wrote ${pausedGrowth} bytes while the consumer paused`);
    assert.ok(process.memoryUsage().rss - rssBefore < 64 * 1024 * 1024);
  } finally {
    await conn.close();
    await server.close();
  }
});

test("M2: a streamed body in 1-byte chunks and in one 16 MiB chunk → identical bytes; chunkSize respected", { timeout: 15_000 }, async () => {
  const small = Buffer.from(Array.from({ length: 3000 }, (_v, i) => i % 251));
  const huge = Buffer.alloc(16 * 1024 * 1024);
  for (let i = 0; i < huge.length; i += 4096) huge[i] = i % 256;
  const server = await startServer(async (req, res) => {
    if (req.url === "/tiny") {
      res.writeHead(200, { "content-length": small.length });
      for (const byte of small) {
        res.write(Buffer.from([byte]));
        if (byte % 50 === 0) await new Promise((r) => setImmediate(r));
      }
      return void res.end();
    }
    res.writeHead(200, { "content-length": huge.length });
    res.end(huge);
  });
  const conn = to(server.port);
  try {
    for (const [path, expected, chunkSize] of [["/tiny", small, 7], ["/huge", huge, 1024 * 1024]] as const) {
      const chunks: Buffer[] = [];
      for await (const chunk of (await conn.request(path, { raw: true })).iterContent(chunkSize)) chunks.push(chunk);
      assert.equal(sha(Buffer.concat(chunks)), sha(expected));
      assert.ok(chunks.slice(0, -1).every((c) => c.length === chunkSize), "every chunk but the last has chunkSize bytes");
      assert.ok(chunks.at(-1)!.length <= chunkSize);
    }
  } finally {
    await conn.close();
    await server.close();
  }
});

test("M5: 0-byte upload from a file and from an empty iterator → Content-Length: 0, no chunked encoding, exactly one Host header", { timeout: 5000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "libcloud-m5-"));
  const empty = join(dir, "empty.bin");
  writeFileSync(empty, "");
  const server = await startServer((_req, res) => void res.end("ok"));
  const conn = to(server.port);
  try {
     
    async function* nothing(): AsyncGenerator<Buffer> { /* no chunks */ }
    await conn.request("/file", { method: "PUT", raw: true, data: createReadStream(empty), headers: { "Content-Length": 0 } });
    await conn.request("/iter", { method: "PUT", raw: true, data: nothing(), headers: { "Content-Length": 0 } });
    await conn.request("/buffer", { method: "PUT", data: Buffer.alloc(0) });
    await conn.request("/string", { method: "PUT", data: "" });
    for (const seen of server.requests) {
      assert.equal(seen.headers["content-length"], "0", seen.url);
      assert.equal(seen.headers["transfer-encoding"], undefined, seen.url);
      assert.equal(seen.rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === "host").length, 1, seen.url);
      assert.equal(seen.body.length, 0);
    }
  } finally {
    await conn.close();
    await server.close();
    rmSync(dir, { recursive: true });
  }
});

test("M7: a declared Content-Length that the stream does not match (shorter or longer) → ConnectionError{ERR_REQUEST_CONTENT_LENGTH_MISMATCH}; not reused", { timeout: 5000 }, async () => {
  const served: Array<[number, string]> = [];
  const server = await startRawServer((socket, head, index) => {
    served.push([index, head.split(" ")[1]!]);
    respond(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  });
  const conn = to(server.port);
  try {
    for (const parts of [["abc"], ["abcdefghij", "klmnop"]]) {
      const err = await rejection(() => conn.request("/up", { method: "PUT", raw: true, data: Readable.from(parts.map((p) => Buffer.from(p))), headers: { "Content-Length": 8 } }));
      assertTyped(err, ConnectionError, "ERR_REQUEST_CONTENT_LENGTH_MISMATCH");
    }
    assert.equal((await conn.request("/after")).body, "ok");
    const uploads = served.filter(([, path]) => path === "/up").map(([i]) => i);
    const after = served.find(([, path]) => path === "/after")![0];
    assert.ok(!uploads.includes(after), "the request after a mismatch used a fresh connection");
  } finally {
    await conn.close();
    await server.close();
  }
});

test("M8: 60 streamed responses never read → request 61 still completes; unread bodies are destroyed after the idle timeout and one warning names the leak", { timeout: 15_000 }, async () => {
  // libcloud-ts does not cap the pool (undici's Agent opens sockets as needed), so request 61 is
  // never queued behind the leak; the transport then destroys each body left unread for `timeout`.
  const open = new Set<Socket>();
  const server = await startServer((req, res) => {
    open.add(req.socket);
    req.socket.on("close", () => open.delete(req.socket));
    res.writeHead(200, { "content-length": 1024 * 1024 });
    res.write(Buffer.alloc(1024 * 1024));
  });
  const quick = await startServer((_req, res) => void res.end("61"));
  const warnings: Array<{ code?: string; message: string }> = [];
  const onWarning = (w: Error & { code?: string }): void => void warnings.push(w);
  process.on("warning", onWarning);
  const conn = to(server.port, { timeout: 1000 });
  const other = new Connection({ host: "127.0.0.1", port: quick.port, secure: false, timeout: 2000 });
  try {
    const unread = await Promise.all(Array.from({ length: 60 }, () => conn.request("/leak", { stream: true })));
    assert.equal(unread.length, 60);
    for (const r of unread) r.response?.on("error", () => {});
    assert.equal((await conn.request("/leak", { stream: true })).status, 200, "request 61 on the same connection");
    assert.equal((await other.request("/")).body, "61");
    const deadline = performance.now() + 5000;
    while (open.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(open.size, 0, "every unread body's socket was released");
    const leaks = warnings.filter((w) => w.code === "LIBCLOUD_UNREAD_BODY");
    assert.equal(leaks.length, 1, "one warning per process");
    assert.match(leaks[0]!.message, /GET http:\/\/127\.0\.0\.1:\d+/);
    const late = await rejection(async () => { for await (const _c of unread[0]!.iterContent()) { /* destroyed */ } });
    assert.ok(late instanceof Error);
  } finally {
    process.off("warning", onWarning);
    await conn.close();
    await other.close();
    await server.close();
    await quick.close();
  }
});

test("M9: buffered bodies over maxBufferedBodyBytes → ResponseTooLargeError, also after a redirect, after a retry, and on the decoded size", { timeout: 10_000 }, async () => {
  const big = Buffer.alloc(2 * 1024 * 1024, 97);
  const gz = zlib.gzipSync(big);
  let attempts = 0;
  const server = await startServer((req, res) => {
    if (req.url === "/redirect") { res.writeHead(302, { location: "/big" }); return void res.end(); }
    if (req.url === "/flaky" && attempts++ === 0) { res.writeHead(503); return void res.end("busy"); }
    if (req.url === "/gz") { res.writeHead(200, { "content-encoding": "gzip", "content-length": gz.length }); return void res.end(gz); }
    res.end(big);
  });
  const conn = to(server.port, { maxBufferedBodyBytes: 1024 * 1024 });
  const restore = setClock(new FakeClock());
  try {
    for (const path of ["/big", "/redirect", "/flaky", "/gz"]) {
      const err = await rejection(() => conn.request(path, { retryFailed: true }));
      const e = assertTyped(err, ResponseTooLargeError, "ERR_RESPONSE_TOO_LARGE");
      assert.equal(e.limit, 1024 * 1024);
    }
    assert.ok(gz.length < 1024 * 1024, "the compressed size was under the limit: the decoded size counts");
    assert.equal(attempts, 2, "the retry happened, and the limit held on it");
    // A raw request is not buffered: no limit applies.
    let n = 0;
    for await (const c of (await conn.request("/big", { raw: true })).iterContent()) n += c.length;
    assert.equal(n, big.length);
  } finally {
    restore();
    await conn.close();
    await server.close();
  }
});

test("M10: server rejects an upload early (413 before the body is sent, then closes) → BaseHTTPError 413, not EPIPE/ECONNRESET; the file is closed", { timeout: 10_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "libcloud-m10-"));
  const file = join(dir, "big.bin");
  writeFileSync(file, Buffer.alloc(32 * 1024 * 1024, 1));
  const server = await startRawServer((socket) => {
    socket.write("HTTP/1.1 413 Payload Too Large\r\nContent-Type: text/plain\r\nContent-Length: 8\r\nConnection: close\r\n\r\ntoo big!");
    setTimeout(() => socket.destroy(), 20);
  });
  const conn = to(server.port);
  try {
    for (const raw of [true, false]) {
      const stream = createReadStream(file);
      const err = await rejection(() => conn.request("/upload", { method: "PUT", raw, data: stream, headers: { "Content-Length": 32 * 1024 * 1024 } }));
      assert.ok(err instanceof BaseHTTPError, `got ${String(err)}`);
      assert.equal(err.code, 413);
      assert.match(err.message, /too big!/);
      await new Promise((r) => setTimeout(r, 50));
      assert.ok(stream.destroyed, "the file stream was closed");
    }
  } finally {
    await conn.close();
    await server.close();
    rmSync(dir, { recursive: true });
  }
});

test("M13: a raw body read twice → LibcloudError 'already been consumed', never empty data", { timeout: 5000 }, async () => {
  const server = await startServer((_req, res) => void res.end("payload"));
  const conn = to(server.port);
  try {
    const response = await conn.request("/", { raw: true });
    assert.equal((await response.body()).toString(), "payload");
    const again = await rejection(() => response.body());
    assert.ok(again instanceof LibcloudError);
    assert.match((again as Error).message, /already been consumed/);
    const third = await rejection(async () => { for await (const _c of response.iterContent()) { /* none */ } });
    assert.match((third as Error).message, /already been consumed/);
  } finally {
    await conn.close();
    await server.close();
  }
});
