// docs/RELIABILITY.md group L: the debug log (LIBCLOUD_DEBUG / enableDebug) and NODE_DEBUG=libcloud,
// against loopback servers, a real forward proxy and the real curl binary.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { after, afterEach, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { inspect, promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { createProxy } from "proxy";
import {
  ConnectionKey, ConnectionUserAndKey, JsonResponse, KeyCertificateConnection, REQUEST_ID_HEADER, Response, enableDebug,
  type Params,
} from "../../src/index.js";
import { MockHttp, type MockResponse } from "../../src/test/index.js";
import { startServer, type TestServer } from "../helpers/server.js";
import type { BaseDriver } from "../../src/index.js";
import { collector } from "../helpers/collect.js";

const run = promisify(execFile);
const distIndex = fileURLToPath(new URL("../../src/index.js", import.meta.url));
const BIG = 50 * 1024 * 1024;


let server: TestServer;
let flaky = 0;
before(async () => {
  server = await startServer((req, res, body) => {
    const url = req.url ?? "";
    if (url.startsWith("/big")) {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(BIG) });
      const chunk = Buffer.alloc(64 * 1024, 7);
      let sent = 0;
      const pump = (): void => {
        while (sent < BIG) {
          sent += chunk.length;
          if (!res.write(chunk)) {
            res.once("drain", pump);
            return;
          }
        }
        res.end();
      };
      pump();
      return;
    }
    if (url.startsWith("/gzip")) {
      const text = JSON.stringify({ message: "hello, decoded world", items: [1, 2, 3] });
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      res.end(gzipSync(text));
      return;
    }
    if (url.startsWith("/laughs")) {
      const lol = ['<?xml version="1.0"?>', '<!DOCTYPE lolz [', '<!ENTITY lol "lol">',
        ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? "" : i};`.repeat(10)}">`),
        "]>", "<lolz>&lol9;</lolz>"].join("\n");
      res.writeHead(200, { "content-type": "application/xml" });
      res.end(lol);
      return;
    }
    if (url.startsWith("/xml")) {
      res.writeHead(200, { "content-type": "application/xml" });
      res.end("<a><b>1</b><c><d>text</d></c></a>");
      return;
    }
    if (url.startsWith("/flaky")) {
      flaky += 1;
      res.writeHead(flaky % 2 === 1 ? 503 : 200, { "content-type": "application/json" });
      res.end(JSON.stringify({ call: flaky }));
      return;
    }
    if (url.startsWith("/text")) {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("x".repeat(1024 * 1024));
      return;
    }
    const reply = JSON.stringify({
      method: req.method, url, bodyLength: body.length, bodySha: createHash("sha256").update(body).digest("hex"),
      body: body.toString("utf8"), headers: req.headers,
    });
    res.writeHead(200, { "content-type": "application/json", "x-echo-auth": req.headers.authorization ?? "" });
    res.end(reply);
  });
});
after(() => server.close());
afterEach(async () => {
  enableDebug(null);
  await Promise.all(opened.splice(0).map((c) => c.close()));
});

/** Connections made by a test, closed after it (keep-alive sockets would hold the process open). */
const opened: ConnectionKey[] = [];

class Api extends ConnectionKey {
  static override secure = false;
  static override responseCls = JsonResponse;
  static sensitiveBodyFields = ["apiKey"];

  constructor(key: string, options: ConstructorParameters<typeof ConnectionKey>[1] = {}) {
    super(key, options);
    opened.push(this);
  }

  override addDefaultHeaders(headers: Record<string, string>): Record<string, string> {
    headers["Authorization"] = `Bearer ${this.key}`;
    return headers;
  }
}

function api(key = "key-SECRET-0001"): Api {
  return new Api(key, { host: "127.0.0.1", port: server.port });
}

function curlLines(log: string): string[] {
  return log.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
}

async function withWarnings<T>(fn: () => Promise<T>): Promise<{ result: T; warnings: Error[] }> {
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => {
    if ((w as { code?: string }).code === "LIBCLOUD_DEBUG_SINK_FAILED") warnings.push(w);
  };
  process.on("warning", onWarning);
  try {
    const result = await fn();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 20));
    return { result, warnings };
  } finally {
    process.off("warning", onWarning);
  }
}

describe("L1/L3: secrets never reach the log", () => {
  test("L1: LIBCLOUD_DEBUG=<file>: a signed request through an authenticating proxy leaves no secret in the log", async () => {
    // A real forward proxy that requires the password of the proxy URL.
    const base = http.createServer();
    const proxy = createProxy(base);
    const proxyUser = "proxy-user";
    const proxyPass = "proxy-pass-SECRET-9876";
    const proxyAuth = `Basic ${Buffer.from(`${proxyUser}:${proxyPass}`).toString("base64")}`;
    let proxied = 0;
    proxy.authenticate = (req) => {
      proxied += 1;
      return req.headers["proxy-authorization"] === proxyAuth;
    };
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const proxyPort = (proxy.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), "libcloud-l1-"));
    const logFile = join(dir, "debug.log");
    const secrets = {
      key: "api-key-SECRET-1111", secret: "api-secret-SECRET-2222", cookie: "session=cookie-SECRET-3333",
      xAuth: "x-auth-token-SECRET-4444", amzToken: "amz-security-token-SECRET-5555", apiKey: "x-api-key-SECRET-6666",
      credential: "AKIDEXAMPLE/20261129/us-east-1/s3/aws4_request", accessKeyId: "AKIA-SECRET-7777", tokenParam: "token-param-SECRET-8888",
    };
    const child = `
      import { createHmac } from "node:crypto";
      import { ConnectionUserAndKey, JsonResponse } from ${JSON.stringify(distIndex)};
      const s = ${JSON.stringify(secrets)};
      class Signed extends ConnectionUserAndKey {
        static secure = false;
        static responseCls = JsonResponse;
        static sensitiveHeaders = ["X-Custom-Secret"];
        addDefaultHeaders(h) {
          Object.assign(h, { "Cookie": s.cookie, "X-Auth-Token": s.xAuth, "X-Amz-Security-Token": s.amzToken, "x-api-key": s.apiKey });
          return h;
        }
        preConnectHook(params, headers) {
          const signature = createHmac("sha256", this.key).update(JSON.stringify(headers)).digest("base64");
          headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=" + s.credential + ", Signature=" + signature;
          return [{ ...params, Signature: signature, "X-Amz-Signature": signature, "X-Amz-Credential": s.credential,
            AWSAccessKeyId: s.accessKeyId, sig: signature, token: s.tokenParam }, headers];
        }
      }
      const conn = new Signed(s.secret, s.key, { host: "127.0.0.1", port: ${server.port},
        proxyUrl: "http://${proxyUser}:${proxyPass}@127.0.0.1:${proxyPort}" });
      const r = await conn.request("/echo", { params: { prefix: "p" }, method: "POST", json: { name: "n", password: s.secret } });
      const sig = new URL(r.object.url, "http://x").searchParams.get("Signature");
      process.stdout.write(JSON.stringify({ status: r.status, sig, seenAuth: r.object.headers.authorization }));
      await conn.close();
    `;
    try {
      const { stdout } = await run(process.execPath, ["--input-type=module", "-e", child], { env: { ...process.env, LIBCLOUD_DEBUG: logFile, LIBCLOUD_DEBUG_PRETTY_PRINT_RESPONSE: "1" } });
      const out = JSON.parse(stdout) as { status: number; sig: string; seenAuth: string };
      assert.equal(out.status, 200);
      assert.ok(proxied >= 1, "the request went through the proxy");
      const log = readFileSync(logFile, "utf8");
      assert.match(log, /^curl /m);
      assert.match(log, new RegExp(`--proxy 'http://${proxyUser}:REDACTED@127\\.0\\.0\\.1:${proxyPort}'`));
      const raw = [...Object.values(secrets), proxyPass, proxyAuth, Buffer.from(`${proxyUser}:${proxyPass}`).toString("base64"), out.sig, encodeURIComponent(out.sig), out.seenAuth];
      for (const value of raw) assert.ok(!log.includes(value), `secret ${JSON.stringify(value.slice(0, 12))}… leaked into the log`);
      assert.match(log, /Signature=REDACTED/);
      assert.match(log, /prefix=p/); // allowlisted parameters stay readable
      assert.match(log, /^# \{\n# {5}"body": /m, "LIBCLOUD_DEBUG_PRETTY_PRINT_RESPONSE indents JSON by 4 with keys sorted, as libcloud");
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });

  test("L1: the explicit unsafe switch (redact: false) shows the values", async () => {
    const sink = collector();
    enableDebug(sink, { redact: false });
    await api("key-UNSAFE-0001").request("/echo", { params: { Signature: "sig-UNSAFE" } });
    assert.match(sink.text(), /Authorization: Bearer key-UNSAFE-0001/);
    assert.match(sink.text(), /Signature=sig-UNSAFE/);
    assert.match(sink.text(), /UNSAFE: not redacted/);
  });

  test("L2: driver-declared sensitive body fields are redacted in --data-binary", async () => {
    const sink = collector();
    enableDebug(sink);
    const keystone = { auth: { passwordCredentials: { username: "alice", password: "pw-SECRET-1234" }, apiKey: "apikey-SECRET-5678", tenantName: "t1" } };
    const r = await api().request<any>("/tokens", { method: "POST", json: keystone });
    assert.equal(JSON.parse(r.object.body).auth.passwordCredentials.password, "pw-SECRET-1234", "the wire carries the real body");
    const line = curlLines(sink.text())[0]!;
    assert.match(line, /--data-binary '\{"auth":\{"passwordCredentials":\{"username":"alice","password":"REDACTED"\},"apiKey":"REDACTED","tenantName":"t1"\}\}'/);
    assert.ok(!sink.text().includes("pw-SECRET-1234") && !sink.text().includes("apikey-SECRET-5678"), "echoed in the response body too, and scrubbed there");
  });

  test("L2: form and XML bodies: declared and secret-looking fields are redacted, the rest kept; a __proto__ key stays data", async () => {
    const sink = collector();
    enableDebug(sink);
    const conn = api();
    await conn.request("/form", { method: "POST", data: "grant_type=password&username=bob&password=pw-SECRET-FORM&client_secret=cs-SECRET-FORM", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    await conn.request("/submit-xml", { method: "POST", data: "<auth><user>bob</user><apiKey>ak-SECRET-XML</apiKey></auth>", headers: { "Content-Type": "application/xml" } });
    await conn.request("/proto", { method: "POST", json: JSON.parse('{"__proto__": {"polluted": 1}, "token": "tk-SECRET-PROTO"}') as unknown });
    const [form, xml, proto] = curlLines(sink.text());
    assert.match(form!, /--data-binary 'grant_type=password&username=bob&password=REDACTED&client_secret=REDACTED'/);
    assert.match(xml!, /--data-binary '<auth><user>bob<\/user><apiKey>REDACTED<\/apiKey><\/auth>'/);
    assert.match(proto!, /--data-binary '\{"__proto__":\{"polluted":1\},"token":"REDACTED"\}'/);
    assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
    for (const secret of ["pw-SECRET-FORM", "cs-SECRET-FORM", "ak-SECRET-XML", "tk-SECRET-PROTO"]) assert.ok(!sink.text().includes(secret), secret);
  });

  test("L1: the connection's key is scrubbed from response bodies and headers that echo it", async () => {
    const sink = collector();
    enableDebug(sink);
    const r = await api("key-ECHOED-424242").request<any>("/echo");
    assert.equal(r.object.headers.authorization, "Bearer key-ECHOED-424242");
    assert.ok(!sink.text().includes("key-ECHOED-424242"));
    assert.match(sink.text(), /# x-echo-auth: REDACTED/);
  });

  test("L1: a ConnectionUserAndKey's user id (Azure's account name) stays readable in the log; its key does not", async () => {
    class Account extends ConnectionUserAndKey {
      static override secure = false;
      static override responseCls = JsonResponse;
      override addDefaultHeaders(headers: Record<string, string>): Record<string, string> {
        headers["Authorization"] = `SharedKey ${this.userId}:${this.key}`;
        return headers;
      }
    }
    const conn = new Account("acct-visible-7", "key-HIDDEN-0001", { host: "127.0.0.1", port: server.port });
    conn.requestPath = "/acct-visible-7";
    // As a driver made with (account, key) holds them: its key is the account, its secret the key.
    conn.driver = { key: "acct-visible-7", secret: "key-HIDDEN-0001" } as BaseDriver;
    const sink = collector();
    enableDebug(sink);
    try {
      await conn.request("/echo");
    } finally {
      await conn.close();
    }
    const log = sink.text();
    assert.match(log, /\/acct-visible-7\/echo/);
    assert.ok(!log.includes("key-HIDDEN-0001"));
  });

  test("L3: inspect, JSON and errors of a connection with key, secret and proxy password show none of them", async () => {
    const conn = new Api("key-SECRET-L3", { host: "127.0.0.1", port: 1, proxyUrl: "http://u:proxy-SECRET-L3@127.0.0.1:1" });
    const sink = collector();
    enableDebug(sink);
    const error = await conn.request("/x").then(() => assert.fail("expected a failure"), (e: unknown) => e);
    const texts = [inspect(conn), JSON.stringify(conn), inspect(error), JSON.stringify(error), String((error as Error).stack), sink.text()];
    for (const text of texts) {
      assert.ok(!text.includes("key-SECRET-L3"), text);
      assert.ok(!text.includes("proxy-SECRET-L3"), text);
    }
    assert.match(sink.text(), /# -------- error .* attempt 1/);
  });
});

describe("L4: the curl line is shell-safe and runnable", () => {
  test("L4: client certificate paths become --cert/--key, the passphrase and PEM contents are never printed", async () => {
    class Mock extends MockHttp {
      root(): MockResponse {
        return [200, "ok"];
      }
    }
    // Paths must exist (checked at construction); the log shows them, never what they hold.
    const keys = mkdtempSync(join(tmpdir(), "libcloud-l4-keys-"));
    const keyPath = join(keys, "client.key");
    const certPath = join(keys, "client.pem");
    writeFileSync(keyPath, "key-file-SECRET");
    writeFileSync(certPath, "cert-file-contents");
    const sink = collector();
    enableDebug(sink);
    const byPath = new KeyCertificateConnection(keyPath, certPath, { keyPassphrase: "pass-SECRET-PEM", verifySslCert: false });
    byPath.connCls = Mock;
    await byPath.request("/");
    const pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC-SECRET\n-----END PRIVATE KEY-----\n";
    const byContents = new KeyCertificateConnection(pem, certPath);
    byContents.connCls = Mock;
    await byContents.request("/");
    rmSync(keys, { recursive: true, force: true });
    const [first, second] = curlLines(sink.text());
    const quoted = (path: string): string => `'${path}'`.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    assert.match(first!, new RegExp(` --cert ${quoted(certPath)} --key ${quoted(keyPath)} --pass 'REDACTED' -k 'https:\\/\\/127\\.0\\.0\\.1\\/'$`));
    assert.match(second!, / --key '<PEM contents, not logged>' /);
    assert.ok(!sink.text().includes("SECRET"));
  });

  const nasty = `it's "quoted" $(touch CANARY) \`touch CANARY\` $HOME \\ \n second line\ttab \0 nul end`;

  test("L4: quotes, $(…), backticks, newlines and NUL: bash -n passes, one command per line, the canary never runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "libcloud-l4-"));
    try {
      const sink = collector();
      enableDebug(sink, { redact: false });
      const value = nasty.replace(/\n|\0/g, " ").replace(/CANARY/g, join(dir, "canary"));
      const body = nasty.replace(/CANARY/g, join(dir, "canary"));
      const r = await api().request<any>("/echo", { method: "POST", data: body, headers: { "X-Nasty": value } });
      const log = sink.text();
      await run("bash", ["-n", "-c", log]);
      const lines = curlLines(log);
      assert.equal(lines.length, 1, "one command line per request; everything else is a comment");
      // Run it for real: the server must receive the very same bytes, and no canary may appear.
      const { stdout } = await run("bash", ["-c", lines[0]!], { cwd: dir, maxBuffer: 1 << 20 });
      const curlBody = JSON.parse(stdout.slice(stdout.indexOf("\r\n\r\n") + 4)) as { bodySha: string; headers: Record<string, string> };
      assert.equal(curlBody.bodySha, r.object.bodySha);
      assert.equal(curlBody.headers["x-nasty"], value);
      assert.equal(existsSync(join(dir, "canary")), false, "the canary command executed");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("L4: the logged curl line, run with the real curl, gets the same response", async () => {
    const sink = collector();
    enableDebug(sink, { redact: false });
    const r = await api().request<any>("/echo/a b", { method: "PUT", params: { q: "x y", prefix: "ü", "filter[name]": "{a}" }, data: JSON.stringify({ a: "it's" }), headers: { "Content-Type": "application/json" } });
    const line = curlLines(sink.text())[0]!;
    assert.match(line, /^curl -i -X PUT /);
    assert.match(line, / --compressed /);
    const { stdout } = await run("bash", ["-c", line], { maxBuffer: 1 << 20 });
    const [head, body] = [stdout.slice(0, stdout.indexOf("\r\n\r\n")), stdout.slice(stdout.indexOf("\r\n\r\n") + 4)];
    assert.match(head, /^HTTP\/1\.1 200 OK/);
    const viaCurl = JSON.parse(body) as { method: string; url: string; bodySha: string; headers: Record<string, string> };
    assert.equal(viaCurl.method, r.object.method);
    assert.equal(viaCurl.url, r.object.url);
    assert.equal(viaCurl.bodySha, r.object.bodySha);
    for (const h of ["authorization", "user-agent", "content-type", "host", REQUEST_ID_HEADER.toLowerCase()]) assert.equal(viaCurl.headers[h], r.object.headers[h], h);
  });
});

describe("L5: debug mode changes no behaviour", () => {
  test("L5: a streamed 50 MB download stays streamed: RSS grows < 16 MB and the log stays small", async () => {
    const sink = collector();
    enableDebug(sink);
    const conn = api();
    // Warm up with one full download: the first one grows the heap and the pool whatever the mode.
    for await (const _ of (await conn.request("/big", { raw: true })).iterContent()) { /* drain */ }
    const before = process.memoryUsage().rss;
    let peak = before;
    const response = await conn.request("/big", { raw: true });
    const hash = createHash("sha256");
    let total = 0;
    for await (const chunk of response.iterContent()) {
      hash.update(chunk);
      total += chunk.length;
      if ((total & 0xfffff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    assert.equal(total, BIG);
    assert.equal(hash.digest("hex"), createHash("sha256").update(Buffer.alloc(BIG, 7)).digest("hex"));
    assert.ok(peak - before < 16 * 1024 * 1024, `RSS grew ${((peak - before) / 1048576).toFixed(1)} MB`);
    assert.ok(sink.text().length < 16 * 1024, `log is ${sink.text().length} bytes`);
    assert.equal(sink.text().match(/# <binary 52428800 bytes>/g)?.length, 2);
    await conn.close();
  });

  test("L5: a raw (stream) upload is sent whole and marked as not logged", async () => {
    const sink = collector();
    enableDebug(sink);
    const payload = randomBytes(300_000);
    const r = await api().request<any>("/upload", { method: "PUT", data: Readable.from([payload.subarray(0, 100_000), payload.subarray(100_000)]) });
    assert.equal(r.object.bodyLength, payload.length);
    assert.equal(r.object.bodySha, createHash("sha256").update(payload).digest("hex"));
    assert.match(curlLines(sink.text())[0]!, / # body: <stream, not logged>$/);
  });

  test("L5: debugging adds no header unless requestIdHeader is on; then only the request id, present before signing; responses are byte-identical", async () => {
    let signedHeaders: string[] = [];
    class Signing extends Api {
      override preConnectHook(params: Params, headers: Record<string, string>): [Params, Record<string, string>] {
        signedHeaders = Object.keys(headers).sort();
        headers["X-Signature"] = createHmac("sha256", this.key).update(signedHeaders.map((h) => `${h}:${headers[h]}`).join("\n")).digest("hex");
        return [params, headers];
      }
    }
    const conn = new Signing("key-SECRET-L5", { host: "127.0.0.1", port: server.port });
    const plain = await conn.request<any>("/echo", { method: "POST", data: "same" });
    const plainGzip = await conn.request("/gzip");
    const names = (o: Record<string, unknown>): string[] => Object.keys(o).sort();
    enableDebug(collector());
    const debugDefault = await conn.request<any>("/echo", { method: "POST", data: "same" });
    assert.deepEqual(names(debugDefault.object.headers), names(plain.object.headers), "turning debugging on changes nothing that is sent");
    assert.ok(!signedHeaders.includes(REQUEST_ID_HEADER));
    enableDebug(collector(), { requestIdHeader: true });
    const debug = await conn.request<any>("/echo", { method: "POST", data: "same" });
    const debugGzip = await conn.request("/gzip");
    assert.ok(signedHeaders.includes(REQUEST_ID_HEADER), "the request id is added before preConnectHook signs");
    assert.deepEqual(names(debug.object.headers).filter((h) => !names(plain.object.headers).includes(h)), [REQUEST_ID_HEADER.toLowerCase()]);
    assert.equal(debug.object.bodySha, plain.object.bodySha);
    assert.equal(debugGzip.body, plainGzip.body);
    assert.deepEqual(debugGzip.object, plainGzip.object);
    assert.equal(debug.status, plain.status);
  });

  test("L5: the request id is unique per request and ties each request to its response", async () => {
    const sink = collector();
    enableDebug(sink, { requestIdHeader: true });
    const conn = api();
    await Promise.all([conn.request("/echo"), conn.request("/echo"), conn.request("/echo")]);
    const requests = [...sink.text().matchAll(/# -------- request (\S+) attempt 1/g)].map((m) => m[1]);
    const responses = [...sink.text().matchAll(/# -------- response (\S+) attempt 1/g)].map((m) => m[1]);
    assert.equal(new Set(requests).size, 3);
    assert.deepEqual([...responses].sort(), [...requests].sort());
    for (const id of requests) assert.ok(sink.text().includes(`-H '${REQUEST_ID_HEADER}: ${id!}'`));
  });

  test("L5: a retried request keeps its id; each attempt is logged with its number", async () => {
    const sink = collector();
    enableDebug(sink);
    const r = await new Api("key-SECRET-R", { host: "127.0.0.1", port: server.port, retryDelay: 1 }).request("/flaky", { retryFailed: true });
    assert.equal(r.status, 200);
    const ids = [...sink.text().matchAll(/# -------- request (\S+) attempt (\d)/g)].map((m) => `${m[1]!} ${m[2]!}`);
    assert.equal(ids.length, 2);
    const id = ids[0]!.split(" ")[0]!;
    assert.deepEqual(ids, [`${id} 1`, `${id} 2`]);
    assert.match(sink.text(), new RegExp(`# -------- response ${id} attempt 1 after \\d+ ms\n# HTTP/1\\.1 503 Service Unavailable`));
  });

  test("L5: without debugging, no request-id header is sent", async () => {
    const r = await api().request<any>("/echo");
    assert.equal(r.object.headers[REQUEST_ID_HEADER.toLowerCase()], undefined);
  });
});

describe("L6–L9: bounded, robust, decoded, hardened", () => {
  test("L9 (issue 11): pretty JSON is libcloud's json.dumps(indent=4, sort_keys=True); LIBCLOUD_DEBUG_PRETTY_PRINT_RESPONSE is read per response", async () => {
    const sink = collector();
    enableDebug(sink); // no prettyPrint option: the environment decides, each time
    const saved = process.env["LIBCLOUD_DEBUG_PRETTY_PRINT_RESPONSE"];
    try {
      delete process.env["LIBCLOUD_DEBUG_PRETTY_PRINT_RESPONSE"];
      await api().request("/gzip");
      assert.match(sink.text(), /# \{"message":"hello, decoded world","items":\[1,2,3\]\}/, "not pretty while the variable is unset");
      process.env["LIBCLOUD_DEBUG_PRETTY_PRINT_RESPONSE"] = "1";
      await api().request("/gzip");
      // Python: json.dumps({"message": "hello, decoded world", "items": [1, 2, 3]}, sort_keys=True, indent=4)
      const python = '{\n    "items": [\n        1,\n        2,\n        3\n    ],\n    "message": "hello, decoded world"\n}';
      assert.ok(sink.text().includes(python.split("\n").map((l) => `# ${l}`).join("\n")), "pretty once the variable is set, without enableDebug again");
    } finally {
      if (saved === undefined) delete process.env["LIBCLOUD_DEBUG_PRETTY_PRINT_RESPONSE"];
      else process.env["LIBCLOUD_DEBUG_PRETTY_PRINT_RESPONSE"] = saved;
    }
  });

  test("L6: binary bodies are summarised and huge text bodies truncated, so the log is bounded", async () => {
    const sink = collector();
    enableDebug(sink);
    const binary = randomBytes(2 * 1024 * 1024);
    binary[0] = 0;
    await api().request("/upload", { method: "POST", data: binary, headers: { "Content-Type": "application/octet-stream" } });
    class Plain extends Api {
      static override responseCls = Response;
    }
    await new Plain("key-SECRET-L6", { host: "127.0.0.1", port: server.port }).request("/text");
    const log = sink.text();
    assert.match(log, new RegExp(`# body: <binary ${binary.length} bytes>`));
    assert.match(log, /<truncated: first 65536 of 1048576 bytes shown>/);
    // Two responses (the echo of 2 MiB and 1 MiB of text), each cut at 64 KiB, plus headers.
    assert.ok(log.length < 2 * 64 * 1024 + 16 * 1024, `log is ${log.length} bytes`);
  });

  test("L7: a sink that throws, fails with EPIPE or is destroyed never fails a request; at most one warning each", async () => {
    const throwing = { write(): boolean { throw new Error("sink exploded"); } };
    const epipe = new Writable({ write(_c, _e, cb) { cb(Object.assign(new Error("write EPIPE"), { code: "EPIPE" })); } });
    const destroyed = new Writable({ write(_c, _e, cb) { cb(); } });
    destroyed.destroy();
    for (const sink of [throwing, epipe, destroyed]) {
      const { result, warnings } = await withWarnings(async () => {
        enableDebug(sink);
        const conn = api();
        const rs = [await conn.request("/echo"), await conn.request("/echo"), await conn.request("/big", { raw: true })] as const;
        for await (const _ of rs[2].iterContent()) break;
        return rs;
      });
      assert.equal(result[0].status, 200);
      assert.equal(result[1].status, 200);
      assert.ok(warnings.length <= 1, `${warnings.length} warnings`);
    }
    const { warnings } = await withWarnings(async () => {
      enableDebug("/nonexistent-dir/libcloud/debug.log");
      assert.equal((await api().request("/echo")).status, 200);
      assert.equal((await api().request("/echo")).status, 200);
    });
    assert.equal(warnings.length, 1);
  });

  test("L8: gzip responses are logged decoded, and the caller still reads the whole body (buffered and streamed)", async () => {
    const sink = collector();
    enableDebug(sink);
    const buffered = await api().request<any>("/gzip");
    assert.equal(buffered.object.message, "hello, decoded world");
    const raw = await api().request("/gzip", { raw: true });
    const bytes = await raw.body();
    assert.equal(JSON.parse(bytes.toString()).message, "hello, decoded world");
    const log = sink.text();
    assert.equal(log.match(/\(body decoded from gzip\)\n# \{"message":"hello, decoded world","items":\[1,2,3\]\}/g)?.length, 2);
  });

  test("L9: pretty printing goes through the hardened parsers: a billion-laughs body does not blow up", async () => {
    const sink = collector();
    enableDebug(sink, { prettyPrint: true });
    class Plain extends Api {
      static override responseCls = Response;
    }
    const conn = new Plain("key-SECRET-L9", { host: "127.0.0.1", port: server.port });
    const started = performance.now();
    const r = await conn.request("/laughs");
    assert.ok(performance.now() - started < 2000);
    assert.match(r.body, /<lolz>&lol9;<\/lolz>/);
    assert.ok(sink.text().length < 8 * 1024, "the entities were not expanded into the log");
    assert.ok(!sink.text().includes("lollollol"));
    await conn.request("/xml");
    await conn.request("/gzip");
    assert.match(sink.text(), /# <a>\n# {3}<b>1<\/b>\n# {3}<c>\n# {5}<d>text<\/d>\n# {3}<\/c>\n# <\/a>/);
    assert.match(sink.text(), /# \{\n# {5}"items": \[\n# {9}1,\n# {9}2,\n# {9}3\n# {5}\],\n# {5}"message": "hello, decoded world"\n# \}/, "indent 4, keys sorted (libcloud's json.dumps)");
  });
});

describe("NODE_DEBUG=libcloud", () => {
  test("NODE_DEBUG=libcloud prints one redacted summary line per request through util.debuglog; LIBCLOUD_DEBUG_UNSAFE=1", async () => {
    const child = `
      import { ConnectionKey, JsonResponse } from ${JSON.stringify(distIndex)};
      class C extends ConnectionKey { static secure = false; static responseCls = JsonResponse; }
      const conn = new C("key-SECRET-ND", { host: "127.0.0.1", port: ${server.port} });
      await conn.request("/echo", { params: { Signature: "sig-SECRET-ND", prefix: "a" } });
      await conn.request("/gzip");
      await conn.close();
    `;
    const dir = mkdtempSync(join(tmpdir(), "libcloud-nd-"));
    try {
      const env = { ...process.env, NODE_DEBUG: "libcloud", LIBCLOUD_DEBUG: join(dir, "unsafe.log"), LIBCLOUD_DEBUG_UNSAFE: "1" };
      const { stderr } = await run(process.execPath, ["--input-type=module", "-e", child], { env });
      const lines = stderr.split("\n").filter((l) => l.startsWith("LIBCLOUD"));
      assert.equal(lines.length, 2, stderr);
      assert.match(lines[0]!, new RegExp(`^LIBCLOUD \\d+: \\S+ GET http://127\\.0\\.0\\.1:${server.port}/echo\\?Signature=REDACTED&prefix=a -> 200 OK \\(\\d+ ms\\)$`));
      assert.ok(!stderr.includes("SECRET"), "the summaries are redacted even when the log is unsafe");
      assert.match(readFileSync(join(dir, "unsafe.log"), "utf8"), /Signature=sig-SECRET-ND/, "LIBCLOUD_DEBUG_UNSAFE=1 is the environment's unsafe switch");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
