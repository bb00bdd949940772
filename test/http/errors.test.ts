// Every typed transport error, from a connection that carries credentials everywhere (Authorization,
// a signed query, a proxy password): each keeps its cause, names method and host, and shows no secret
// (docs/RELIABILITY.md convention 3; docs/SPEC.md "No error message or toString() ever contains a secret").
import assert from "node:assert/strict";
import type { LookupFunction } from "node:net";
import { test } from "node:test";
import * as zlib from "node:zlib";
import { ConnectionKey, TransportError, type TransportOptions } from "../../src/index.js";
import { startProxy } from "../helpers/proxy.js";
import { closedPort, respond, startRawServer } from "../helpers/raw-server.js";
import { startTlsServer } from "../helpers/tls-server.js";
import { assertNoSecret, rejection } from "../reliability/assert.js";

const SECRETS = ["SECRET-KEY-123", "SECRET-SIG-456", "PROXY-PW-789", Buffer.from("puser:PROXY-PW-789").toString("base64")];

class SignedConnection extends ConnectionKey {
  static override secure = false;
  static override sensitiveHeaders = ["X-Auth-Token"];
  override addDefaultHeaders(headers: Record<string, string>): Record<string, string> {
    return { ...headers, Authorization: `Bearer ${this.key}`, "X-Auth-Token": this.key };
  }
  override addDefaultParams(): Record<string, string> {
    return { Signature: "SECRET-SIG-456", AWSAccessKeyId: this.key };
  }
}

function withLookup(lookup: LookupFunction): typeof SignedConnection {
  return class extends SignedConnection {
    protected override transportOptions(): TransportOptions {
      return { ...super.transportOptions(), lookup };
    }
  };
}

test("T/P/X/S: every typed transport error keeps its cause, names method and host, and carries no secret", { timeout: 20_000 }, async () => {
  const gz = zlib.gzipSync(Buffer.alloc(4096));
  const raw = await startRawServer((socket, head) => {
    const path = head.split(" ")[1]!.split("?")[0]!;
    if (path === "/reset") { socket.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc"); return void setTimeout(() => socket.resetAndDestroy(), 10); }
    if (path === "/short") return respond(socket, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", { end: true });
    if (path === "/chunked") return respond(socket, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", { end: true });
    if (path === "/badgzip") return respond(socket, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nxyz");
    if (path === "/codings") return respond(socket, `HTTP/1.1 200 OK\r\nContent-Encoding: gzip,gzip,gzip,gzip,gzip,gzip\r\nContent-Length: ${gz.length}\r\n\r\n${gz.toString("latin1")}`);
    if (path === "/big") return respond(socket, Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${gz.length}\r\n\r\n`), gz]));
    if (path === "/loop") return respond(socket, "HTTP/1.1 302 Found\r\nLocation: /loop?again=1\r\nContent-Length: 0\r\n\r\n");
    if (path === "/file") return respond(socket, "HTTP/1.1 302 Found\r\nLocation: file:///etc/passwd\r\nContent-Length: 0\r\n\r\n");
    if (path === "/hang") return;
    respond(socket, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  });
  const tls = await startTlsServer((_req, res) => void res.end("no"), { cert: "self-signed" });
  const proxy = await startProxy({ auth: { user: "puser", password: "nope" } });
  const refused = await closedPort();
  const failing: LookupFunction = (hostname, _o, cb) => process.nextTick(() => (cb as (e: Error) => void)(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" })));
  const cases: Array<[string, () => SignedConnection, string]> = [
    ["refused", () => new SignedConnection("SECRET-KEY-123", { host: "127.0.0.1", port: refused }), "/"],
    ["dns", () => new (withLookup(failing))("SECRET-KEY-123", { host: "api.example.test", port: 80 }), "/"],
    ["connect timeout", () => new (withLookup(() => {}))("SECRET-KEY-123", { host: "api.example.test", port: 80, timeout: 200 }), "/"],
    ["headers timeout", () => new SignedConnection("SECRET-KEY-123", { host: "127.0.0.1", port: raw.port, timeout: 200 }), "/hang"],
    ["reset mid-body", () => new SignedConnection("SECRET-KEY-123", { host: "127.0.0.1", port: raw.port }), "/reset"],
    ["content-length mismatch", () => new SignedConnection("SECRET-KEY-123", { host: "127.0.0.1", port: raw.port }), "/short"],
    ["truncated chunked", () => new SignedConnection("SECRET-KEY-123", { host: "127.0.0.1", port: raw.port }), "/chunked"],
    ["bad gzip", () => new SignedConnection("SECRET-KEY-123", { host: "127.0.0.1", port: raw.port }), "/badgzip"],
    ["too many codings", () => new SignedConnection("SECRET-KEY-123", { host: "127.0.0.1", port: raw.port }), "/codings"],
    ["too large", () => new SignedConnection("SECRET-KEY-123", { host: "127.0.0.1", port: raw.port, maxBufferedBodyBytes: 1024 }), "/big"],
    ["redirect loop", () => new SignedConnection("SECRET-KEY-123", { host: "127.0.0.1", port: raw.port }), "/loop"],
    ["redirect scheme", () => new SignedConnection("SECRET-KEY-123", { host: "127.0.0.1", port: raw.port }), "/file"],
    ["tls", () => new SignedConnection("SECRET-KEY-123", { host: "localhost", port: tls.port, secure: true }), "/"],
    ["proxy 407", () => new SignedConnection("SECRET-KEY-123", { host: "localhost", port: tls.port, secure: true, proxyUrl: `http://puser:PROXY-PW-789@127.0.0.1:${proxy.port}` }), "/"],
    ["proxy refused", () => new SignedConnection("SECRET-KEY-123", { host: "localhost", port: 443, secure: true, proxyUrl: `http://puser:PROXY-PW-789@127.0.0.1:${refused}` }), "/"],
  ];
  try {
    for (const [name, make, path] of cases) {
      const conn = make();
      const err = await rejection(() => conn.request(path, { method: "POST", data: "body-with-SECRET-KEY-123" }));
      assert.ok(err instanceof TransportError, `${name}: ${String(err)}`);
      assert.ok(err.cause !== undefined || err.name === "TimeoutError" || err.name === "ResponseTooLargeError" || err.name === "RedirectError", `${name}: keeps its cause`);
      assert.match(err.message, /POST (http|https):\/\/[^ ]+/, `${name}: names method and origin`);
      assert.ok(err.message.includes(err.host), `${name}: names the host`);
      assert.equal(typeof err.code, "string");
      assertNoSecret(err, SECRETS);
      await conn.close();
    }
  } finally {
    await raw.close();
    await tls.close();
    await proxy.close();
  }
});
