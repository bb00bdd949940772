// docs/SPEC.md decision 2 (redirects) and docs/RELIABILITY.md R20–R22: what survives a redirect and what does not.
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
import { Connection, ConnectionKey, RedirectError } from "../../src/index.js";
import { startServer, type TestServer } from "../helpers/server.js";
import { pem, startTlsServer } from "../helpers/tls-server.js";
import { assertTyped, rejection } from "../reliability/assert.js";

class TokenConnection extends ConnectionKey {
  static override secure = false;
  static override sensitiveHeaders = ["X-Auth-Token", "x-amz-security-token"];
  override addDefaultHeaders(headers: Record<string, string>): Record<string, string> {
    return { ...headers, Authorization: `Bearer ${this.key}`, Cookie: "session=s3cr3t", "X-Auth-Token": "tok-s3cr3t", "X-Amz-Security-Token": "amz-s3cr3t", "X-Trace": "keep-me" };
  }
}

async function pair(): Promise<{ target: TestServer; origin: TestServer; close(): Promise<void> }> {
  const target = await startServer((_req, res) => void res.end("landed"));
  const origin = await startServer((req, res) => {
    const to = req.url!.slice(1); // "/<absolute or relative url>"
    res.writeHead(Number(req.headers["x-status"] ?? 302), { location: decodeURIComponent(to) });
    res.end();
  });
  return { target, origin, async close() { await target.close(); await origin.close(); } };
}

test("R20: cross-origin redirect drops Authorization, Cookie and userinfo; keeps other headers; Host follows the new origin", { timeout: 5000 }, async () => {
  const { target, origin, close } = await pair();
  const conn = new TokenConnection("key-s3cr3t", { host: "127.0.0.1", port: origin.port });
  try {
    const location = encodeURIComponent(`http://user:pass@127.0.0.1:${target.port}/landing`);
    const response = await conn.request(`/${location}`);
    assert.equal(response.body, "landed");
    const seen = target.requests[0]!.headers;
    assert.equal(seen.authorization, undefined);
    assert.equal(seen.cookie, undefined);
    assert.equal(seen["proxy-authorization"], undefined);
    assert.equal(seen["x-trace"], "keep-me");
    assert.equal(seen.host, `127.0.0.1:${target.port}`);
    // The origin itself saw the credentials (they were meant for it).
    assert.equal(origin.requests[0]!.headers.authorization, "Bearer key-s3cr3t");
  } finally {
    await conn.close();
    await close();
  }
});

test("R21: driver-declared sensitive headers (static sensitiveHeaders) are dropped cross-origin and kept same-origin", { timeout: 5000 }, async () => {
  const { target, origin, close } = await pair();
  const conn = new TokenConnection("key-s3cr3t", { host: "127.0.0.1", port: origin.port });
  try {
    await conn.request(`/${encodeURIComponent(`http://127.0.0.1:${target.port}/x`)}`);
    const away = target.requests[0]!.headers;
    assert.equal(away["x-auth-token"], undefined);
    assert.equal(away["x-amz-security-token"], undefined);
    // Same origin: a relative Location keeps everything.
    const same = await startServer((req, res) => {
      if (req.url === "/start") { res.writeHead(301, { location: "/end" }); return void res.end(); }
      res.end("same");
    });
    const sameConn = new TokenConnection("key-s3cr3t", { host: "127.0.0.1", port: same.port });
    assert.equal((await sameConn.request("/start")).body, "same");
    const kept = same.requests[1]!.headers;
    assert.equal(kept.authorization, "Bearer key-s3cr3t");
    assert.equal(kept["x-auth-token"], "tok-s3cr3t");
    assert.equal(kept.cookie, "session=s3cr3t");
    await sameConn.close();
    await same.close();
  } finally {
    await conn.close();
    await close();
  }
});

test("R20: https → http on the same host drops Authorization", { timeout: 5000 }, async () => {
  const plain = await startServer((_req, res) => void res.end("plain"));
  const secure = await startTlsServer((_req, res) => {
    res.writeHead(302, { location: `http://localhost:${plain.port}/down` });
    res.end();
  });
  class Secure extends TokenConnection {
    static override secure = true;
  }
  const conn = new Secure("key-s3cr3t", { host: "localhost", port: secure.port, caCert: pem("ca.pem") });
  try {
    assert.equal((await conn.request("/")).body, "plain");
    assert.equal(plain.requests[0]!.headers.authorization, undefined);
    assert.equal(secure.requests[0]!.headers.authorization, "Bearer key-s3cr3t");
  } finally {
    await conn.close();
    await secure.close();
    await plain.close();
  }
});

test("R22: 303 after POST/PUT → GET with no body, no Content-Type, no Content-Length; 301/302 after POST → GET", { timeout: 5000 }, async () => {
  const server = await startServer((req, res) => {
    if (req.url === "/see-other") { res.writeHead(303, { location: "/result" }); return void res.end(); }
    if (req.url === "/moved") { res.writeHead(301, { location: "/result" }); return void res.end(); }
    res.end(`${req.method}`);
  });
  const conn = new Connection({ host: "127.0.0.1", port: server.port, secure: false });
  try {
    for (const [path, method] of [["/see-other", "POST"], ["/see-other", "PUT"], ["/moved", "POST"]] as const) {
      const before = server.requests.length;
      const response = await conn.request(path, { method, data: '{"a":1}', headers: { "Content-Type": "application/json" } });
      assert.equal(response.body, "GET");
      const follow = server.requests[before + 1]!;
      assert.equal(follow.method, "GET");
      assert.equal(follow.body.length, 0);
      assert.equal(follow.headers["content-type"], undefined);
      assert.equal(follow.headers["content-length"], undefined);
      assert.equal(follow.headers["transfer-encoding"], undefined);
    }
  } finally {
    await conn.close();
    await server.close();
  }
});

test("D2: 307/308 keep method and a replayable body byte for byte; a stream body or a body bound for another origin → RedirectError", { timeout: 5000 }, async () => {
  const other = await startServer((_req, res) => void res.end("other"));
  const server = await startServer((req, res) => {
    if (req.url === "/307") { res.writeHead(307, { location: "/landing" }); return void res.end(); }
    if (req.url === "/308") { res.writeHead(308, { location: "/landing" }); return void res.end(); }
    if (req.url === "/away") { res.writeHead(307, { location: `http://127.0.0.1:${other.port}/` }); return void res.end(); }
    res.end(`${req.method}`);
  });
  const conn = new Connection({ host: "127.0.0.1", port: server.port, secure: false });
  try {
    const payload = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
    for (const path of ["/307", "/308"]) {
      const before = server.requests.length;
      assert.equal((await conn.request(path, { method: "PUT", data: payload })).body, "PUT");
      assert.deepEqual(server.requests[before + 1]!.body, payload);
    }
    const body = Readable.from([Buffer.from("chunk")]);
    const streamed = await rejection(() => conn.request("/307", { method: "PUT", raw: true, data: body }));
    assertTyped(streamed, RedirectError, "ERR_REDIRECT_BODY");
    assert.ok(body.destroyed, "the stream that cannot be re-sent is closed");
    const away = await rejection(() => conn.request("/away", { method: "POST", data: "secret-body" }));
    assertTyped(away, RedirectError, "ERR_REDIRECT_BODY");
    assert.equal(other.requests.length, 0, "the body never went to the other origin");
    // A bodiless 307 to another origin is followed.
    assert.equal((await conn.request("/away")).body, "other");
  } finally {
    await conn.close();
    await server.close();
    await other.close();
  }
});

test("a redirect's own body is drained before the next hop; one over 128 KiB is not read: its socket is closed and the redirect still followed", { timeout: 10_000 }, async () => {
  let sentOfBig = 0;
  const server = await startServer((req, res) => {
    if (req.url === "/small") {
      res.writeHead(302, { location: "/end", "content-length": 1000 });
      return void res.end(Buffer.alloc(1000, "r"));
    }
    if (req.url === "/big") {
      // 1 GiB announced, written 64 KiB at a time while the client keeps reading.
      res.writeHead(302, { location: "/end", "content-length": 1024 ** 3 });
      const chunk = Buffer.alloc(64 * 1024, "r");
      const pump = (): void => {
        while (!res.destroyed && sentOfBig < 1024 ** 3) {
          sentOfBig += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
      };
      return pump();
    }
    res.end("end");
  });
  const conn = new Connection({ host: "127.0.0.1", port: server.port, secure: false });
  try {
    assert.equal((await conn.request("/small")).body, "end");
    assert.equal((await conn.request("/big")).body, "end");
    assert.equal(server.requests.map((r) => r.url).join(" "), "/small /end /big /end");
    // What the kernel's socket buffers took, at most: nowhere near the gigabyte.
    assert.ok(sentOfBig < 64 * 1024 * 1024, `the client stopped reading the redirect body (server wrote ${sentOfBig} bytes)`);
  } finally {
    await conn.close();
    await server.close();
  }
});
