// SigV4 (src/common/aws.ts) against AWS's own implementation, @smithy/signature-v4, on randomized
// requests; then SignedAWSConnection on the wire (a loopback server verifies with smithy), the
// injected clock, and the RequestTimeTooSkewed correction.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import {
  AWSRequestSignerAlgorithmV4, LibcloudConnection, RequestTimeTooSkewedError, SignedAWSConnection, UNSIGNED_PAYLOAD, canonicalQuery, sha256Hex, wirePath,
  type LibcloudRequest, type Params,
} from "../../src/index.js";
import { requestScope } from "../../src/common/base/request-context.js";
import { setClock, systemClock } from "../../src/utils/clock.js";
import { startServer } from "../helpers/server.js";
import { queryRecord, verifySigV4 } from "../helpers/sigv4-verify.js";

// Characters that break naive encoders: reserved, unicode (BMP, astral, combining), space, %, +.
const CHARS = [..."aZ09-_.~ !\"#$%&'()*+,/:;<=>?@[\\]^`{|}", "é", "ü", "日本", "😀", "\u0301", "\t", "%2F", "%41", "+"];
const text = (maxLength: number): fc.Arbitrary<string> => fc.array(fc.constantFrom(...CHARS), { maxLength }).map((a) => a.join(""));
const segment = fc.oneof({ weight: 8, arbitrary: text(8) }, { weight: 1, arbitrary: fc.constantFrom(".", "..", "") });
const rawPath = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => `/${s.join("/")}`);
const queryName = fc.oneof(text(6), fc.constantFrom("uploads", "partNumber", "uploadId", "list-type", "prefix", "a"));
const queryPairs = fc.array(fc.tuple(queryName, fc.oneof(text(8), fc.constant(""))), { maxLength: 6 });
// Names the signer sets itself, and those the transport refuses before signing matters (hop-by-hop
// headers, Expect, a Content-Length that must match the body: src/http/headers.ts).
const NOT_GENERATED = [
  "authorization", "x-amz-date", "date", "host", "x-amz-security-token", "x-amz-content-sha256",
  "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "expect", "content-length",
  "proxy-authorization",
];
const headerName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,10}$/).filter((n) => !NOT_GENERATED.includes(n.toLowerCase()));
// Folded spaces and tabs inside, around and at the ends of values.
const headerValue = fc.array(fc.constantFrom("a", "B", "1", " ", "  ", "\t", ",", "=", "é", "/"), { maxLength: 12 }).map((a) => a.join(""));
// One name per header, whatever its case: the connection refuses "V" beside "v" (H15, tested in u-misuse).
const headers = fc.dictionary(headerName, headerValue, { maxKeys: 5 })
  .filter((h) => new Set(Object.keys(h).map((k) => k.toLowerCase())).size === Object.keys(h).length);
const method = fc.constantFrom("GET", "PUT", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS");
const service = fc.constantFrom("s3", "ec2", "sts", "execute-api");
const date = fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T23:59:59Z"), noInvalidDate: true }).map((d) => new Date(Math.floor(d.getTime() / 1000) * 1000));
const body = fc.oneof(fc.constant(undefined), fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }));
const token = fc.option(fc.stringMatching(/^[A-Za-z0-9+/=]{1,40}$/), { nil: undefined });

function smithyQuery(pairs: Array<[string, string]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of pairs) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

const creds = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

test("SigV4 header signing matches @smithy/signature-v4 on 2000 randomized requests", async () => {
  await fc.assert(fc.asyncProperty(method, rawPath, queryPairs, headers, service, date, body, token,
    async (m, path, query, hdrs, svc, time, payload, sessionToken) => {
      const wire = wirePath(path);
      const payloadHash = payload === undefined ? sha256Hex("") : sha256Hex(payload);
      const allHeaders = { ...hdrs, Host: "example.amazonaws.com" };
      const ours = new AWSRequestSignerAlgorithmV4({ ...creds, sessionToken, region: "eu-west-3", service: svc, doubleEncodePath: svc !== "s3" })
        .signHeaders({ method: m, path: wire, query, headers: allHeaders, payloadHash }, time);
      const smithy = new SignatureV4({
        credentials: { ...creds, ...(sessionToken === undefined ? {} : { sessionToken }) }, region: "eu-west-3", service: svc,
        sha256: Hash.bind(null, "sha256"), uriEscapePath: svc !== "s3",
      });
      const signed: { headers: Record<string, string> } = await smithy.sign({
        method: m, protocol: "https:", hostname: "example.amazonaws.com", path: wire, query: smithyQuery(query), headers: allHeaders, body: payload,
      } as never, { signingDate: time }) as never;
      assert.equal(ours["Authorization"], signed.headers["authorization"]);
      assert.equal(ours["x-amz-content-sha256"], signed.headers["x-amz-content-sha256"]);
      assert.equal(ours["x-amz-security-token"], signed.headers["x-amz-security-token"]);
    }), { numRuns: 2000 });
});

test("SigV4 query presigning matches @smithy/signature-v4 on 1000 randomized requests", async () => {
  await fc.assert(fc.asyncProperty(method, rawPath, queryPairs.map((q) => q.filter(([k]) => !k.startsWith("X-Amz-"))), date,
    fc.integer({ min: 1, max: 604800 }), token, async (m, path, query, time, expires, sessionToken) => {
      const wire = wirePath(path);
      const ours = new AWSRequestSignerAlgorithmV4({ ...creds, sessionToken, region: "us-east-1", service: "s3", doubleEncodePath: false })
        .presignQuery({ method: m, path: wire, query, headers: { host: "bucket.s3.amazonaws.com" } }, time, expires);
      const smithy = new SignatureV4({
        credentials: { ...creds, ...(sessionToken === undefined ? {} : { sessionToken }) }, region: "us-east-1", service: "s3",
        sha256: Hash.bind(null, "sha256"), uriEscapePath: false,
      });
      const presigned: { query: Record<string, string | string[]> } = await smithy.presign({
        method: m, protocol: "https:", hostname: "bucket.s3.amazonaws.com", path: wire, query: smithyQuery(query),
        headers: { host: "bucket.s3.amazonaws.com", "x-amz-content-sha256": UNSIGNED_PAYLOAD },
      }, { signingDate: time, expiresIn: expires, unhoistableHeaders: new Set(["x-amz-content-sha256"]), unsignableHeaders: new Set(["x-amz-content-sha256"]) }) as never;
      assert.equal(ours.at(-1)?.[1], presigned.query["X-Amz-Signature"]);
      // Every pair smithy puts in the URL is ours too.
      assert.deepEqual(canonicalQuery(ours), canonicalQuery(Object.entries(presigned.query).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x] as [string, string]) : [[k, String(v)] as [string, string]]))));
    }), { numRuns: 1000 });
});

test("SigV4: a streamed body is signed UNSIGNED-PAYLOAD; a given x-amz-content-sha256 is used as is", async () => {
  const seen: Array<Record<string, unknown>> = [];
  const server = await startServer((req, res) => {
    seen.push({ ...req.headers });
    res.writeHead(200).end("<ok/>");
  });
  try {
    class Conn extends SignedAWSConnection {
      static override serviceName = "s3";
      static override doubleEncodePath = false;
    }
    const conn = new Conn(creds.accessKeyId, creds.secretAccessKey, { host: "127.0.0.1", port: server.port, secure: false });
    await conn.request("/b/k", { method: "PUT", data: (async function* () { yield Buffer.from("abc"); })(), headers: { "Content-Length": 3 } });
    await conn.request("/b/k", { method: "PUT", data: "abc", headers: { "x-amz-content-sha256": sha256Hex("abc") } });
    await conn.request("/b/k", { method: "PUT", data: "abc" });
    assert.equal(seen[0]!["x-amz-content-sha256"], UNSIGNED_PAYLOAD);
    assert.equal(seen[1]!["x-amz-content-sha256"], sha256Hex("abc"));
    assert.equal(seen[2]!["x-amz-content-sha256"], sha256Hex("abc"));
    for (const [i, r] of server.requests.entries()) {
      assert.deepEqual(await verifySigV4(r, creds), { ok: true }, `request ${i}`);
    }
    await conn.close();
  } finally {
    await server.close();
  }
});

test("SignedAWSConnection: 300 randomized requests verify on the wire with @smithy/signature-v4 (s3 and a double-encoding service)", async () => {
  const server = await startServer((_req, res) => void res.writeHead(200).end("<ok/>"));
  try {
    class S3Conn extends SignedAWSConnection {
      static override serviceName = "s3";
      static override doubleEncodePath = false;
    }
    class Ec2Conn extends SignedAWSConnection {
      static override serviceName = "ec2";
    }
    const options = { host: "127.0.0.1", port: server.port, secure: false, token: "FQoGZXIvYXdzEJr//token" };
    const conns = [new S3Conn(creds.accessKeyId, creds.secretAccessKey, options), new Ec2Conn(creds.accessKeyId, creds.secretAccessKey, options)];
    await fc.assert(fc.asyncProperty(fc.constantFrom("GET", "PUT", "DELETE", "POST"), rawPath, queryPairs, headers, fc.constantFrom(0, 1), fc.string({ maxLength: 20 }),
      async (m, path, query, hdrs, which, data) => {
        const conn = conns[which]!;
        const before = server.requests.length;
        // The action is a path ("?" starts its query): a key goes in encoded.
        await conn.request(wirePath(path), { method: m, params: query, headers: hdrs, data: m === "PUT" || m === "POST" ? data : undefined });
        const arrived = server.requests[before]!;
        const verdict = await verifySigV4(arrived, { ...creds, sessionToken: options.token }, { service: which === 0 ? "s3" : "ec2" });
        assert.deepEqual(verdict, { ok: true }, `${m} ${arrived.url}`);
        // What arrived decodes to what was asked for.
        assert.deepEqual(Object.entries(queryRecord(arrived.url.split("?")[1] ?? "")).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => `${k}=${x}`) : [`${k}=${v}`])).sort(),
          query.map(([k, v]) => `${k}=${v}`).sort());
      }), { numRuns: 300 });
    await Promise.all(conns.map((c) => c.close()));
  } finally {
    await server.close();
  }
});

test("SigV4 reads time from the injected clock; a wrong secret fails verification", async () => {
  const server = await startServer((_req, res) => void res.writeHead(200).end("<ok/>"));
  const restore = setClock({ ...systemClock, date: () => Date.UTC(2031, 4, 6, 7, 8, 9) });
  try {
    class Conn extends SignedAWSConnection {
      static override serviceName = "s3";
      static override doubleEncodePath = false;
    }
    const conn = new Conn(creds.accessKeyId, "not-the-secret", { host: "127.0.0.1", port: server.port, secure: false });
    await conn.request("/b/k");
    assert.equal(server.requests[0]!.headers["x-amz-date"], "20310506T070809Z");
    assert.match(String(server.requests[0]!.headers["authorization"]), /Credential=AKIDEXAMPLE\/20310506\/us-east-1\/s3\/aws4_request/);
    const verdict = await verifySigV4(server.requests[0]!, creds);
    assert.equal(verdict.ok, false);
    assert.doesNotMatch(JSON.stringify(conn) + JSON.stringify(conn.signer), /not-the-secret/);
    await conn.close();
  } finally {
    restore();
    await server.close();
  }
});

test("SignedAWSConnection's own hooks need no async scope; a subclass that overrides one again gets it back, and sees its own request among concurrent ones", async () => {
  const server = await startServer((_req, res) => void setTimeout(() => res.writeHead(200).end("<ok/>"), Math.random() * 10));
  // The scope's store, as the transport sees it while sending.
  const seen: Array<unknown> = [];
  class Spy extends LibcloudConnection {
    override request(request: Parameters<LibcloudConnection["request"]>[0]): ReturnType<LibcloudConnection["request"]> {
      seen.push(requestScope.getStore());
      return super.request(request);
    }
  }
  class Conn extends SignedAWSConnection {
    static override serviceName = "s3";
    static override doubleEncodePath = false;
    static override connCls = Spy;
  }
  class Hooked extends Conn {
    override preConnectHook(params: Params, headers: Record<string, string>, request?: LibcloudRequest): [Params, Record<string, string>] {
      headers["X-Seen-Action"] = String(this.action);
      return super.preConnectHook(params, headers, request);
    }
  }
  const plain = new Conn(creds.accessKeyId, creds.secretAccessKey, { host: "127.0.0.1", port: server.port, secure: false });
  const hooked = new Hooked(creds.accessKeyId, creds.secretAccessKey, { host: "127.0.0.1", port: server.port, secure: false });
  try {
    await Promise.all(Array.from({ length: 5 }, (_, i) => plain.request(`/b/plain-${i}`)));
    assert.deepEqual(seen, [undefined, undefined, undefined, undefined, undefined], "no scope for the library's own hooks");
    seen.length = 0;
    await Promise.all(Array.from({ length: 10 }, (_, i) => hooked.request(`/b/hooked-${i}`)));
    assert.equal(seen.filter((store) => store !== undefined).length, 10, "a user's override is scoped");
    const sent = server.requests.slice(5).map((r) => [r.url?.split("?")[0], r.headers["x-seen-action"]]);
    for (const [url, action] of sent) assert.equal(action, url, "each hook saw its own request's action");
    for (const request of server.requests) assert.equal((await verifySigV4(request, creds)).ok, true);
  } finally {
    await Promise.all([plain.close(), hooked.close()]);
    await server.close();
  }
});

function skewServer(serverTime: () => number) {
  return startServer((req, res) => {
    const sent = String(req.headers["x-amz-date"]);
    const ms = Date.UTC(Number(sent.slice(0, 4)), Number(sent.slice(4, 6)) - 1, Number(sent.slice(6, 8)), Number(sent.slice(9, 11)), Number(sent.slice(11, 13)), Number(sent.slice(13, 15)));
    if (Math.abs(ms - serverTime()) > 15 * 60_000) {
      res.writeHead(403, { "Content-Type": "application/xml" }).end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message><RequestTime>${sent}</RequestTime><ServerTime>${new Date(serverTime()).toISOString()}</ServerTime><MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds></Error>`);
      return;
    }
    res.writeHead(200).end("<ok/>");
  });
}

test("RequestTimeTooSkewed: the clock offset is corrected once and the request retried (and kept for the next ones)", async () => {
  const truth = Date.now();
  const server = await skewServer(() => truth + (Date.now() - truth));
  const restore = setClock({ ...systemClock, date: () => Date.now() - 3_600_000 }); // an hour slow
  try {
    class Conn extends SignedAWSConnection {
      static override serviceName = "s3";
      static override doubleEncodePath = false;
    }
    const conn = new Conn(creds.accessKeyId, creds.secretAccessKey, { host: "127.0.0.1", port: server.port, secure: false });
    const response = await conn.request("/b/k", { method: "PUT", data: "hello" });
    assert.equal(response.status, 200);
    assert.equal(server.requests.length, 2);
    assert.ok(Math.abs(conn.clockOffset - 3_600_000) < 5_000, String(conn.clockOffset));
    await conn.request("/b/k");
    assert.equal(server.requests.length, 3, "the offset is kept: no second skew answer");
    await conn.close();
  } finally {
    restore();
    await server.close();
  }
});

test("RequestTimeTooSkewed: retried once only, then RequestTimeTooSkewedError (not InvalidCredsError)", async () => {
  let shift = 0;
  const server = await skewServer(() => Date.now() + (shift += 3_600_000)); // the server's clock runs away
  try {
    class Conn extends SignedAWSConnection {
      static override serviceName = "s3";
      static override doubleEncodePath = false;
    }
    const conn = new Conn(creds.accessKeyId, creds.secretAccessKey, { host: "127.0.0.1", port: server.port, secure: false });
    await assert.rejects(conn.request("/b/k"), (e: unknown) => e instanceof RequestTimeTooSkewedError && e.serverTime !== undefined);
    assert.equal(server.requests.length, 2);
    await conn.close();
  } finally {
    await server.close();
  }
});
