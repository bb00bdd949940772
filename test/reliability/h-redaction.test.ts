// RELIABILITY.md group H, the redaction scenarios (H1, H6, H8, H9, H10, H11, and H16's inspect
// part): one rule for what may be shown of a request, a response, a transport or an error, used by
// inspect, toJSON, messages, cause chains, the debug log, NODE_DEBUG lines and recorded fixtures.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, afterEach, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { inspect, promisify } from "node:util";
import {
  BaseDriver, BaseHTTPError, ConnectionKey, JsonResponse, MalformedResponseError, RawResponse, Response, XmlResponse, enableDebug,
  type LibcloudRequest, type Params,
} from "../../src/index.js";
import { MockHttp, startRecording } from "../../src/test/index.js";
import { startProxy } from "../helpers/proxy.js";
import { startServer, type TestServer } from "../helpers/server.js";
import { rejection } from "./assert.js";
import { collector } from "../helpers/collect.js";

const run = promisify(execFile);
const distIndex = fileURLToPath(new URL("../../src/index.js", import.meta.url));

/** Everything a user could print of a value: inspect at full depth, JSON, String. */
function shown(...values: unknown[]): string {
  return values.map((v) => {
    let json: string;
    try {
      json = JSON.stringify(v) ?? "";
    } catch (error) {
      json = String(error);
    }
    return `${inspect(v, { depth: 20, showHidden: false })}\n${json}\n${String(v)}`;
  }).join("\n");
}

function assertAbsent(text: string, secrets: readonly string[], where: string): void {
  for (const s of secrets) assert.ok(!text.includes(s), `${JSON.stringify(s)} shown in ${where}: ${text.slice(Math.max(0, text.indexOf(s) - 200), text.indexOf(s) + 100)}`);
}


const TOKEN = "bearer-H1-CANARY-7f3a9c";
let server: TestServer;

before(async () => {
  server = await startServer((req, res, body) => {
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname;
    if (path === "/v1/servers") {
      res.writeHead(200, { "content-type": "application/json", "set-cookie": "sid=cookie-H1-CANARY-55; Path=/" });
      res.end(JSON.stringify({ servers: [{ id: "1" }], echo: req.headers.authorization }));
    } else if (path === "/echo-error") {
      const status = Number(url.searchParams.get("status") ?? "400");
      res.writeHead(status, { "content-type": "text/plain", "set-cookie": "sid=cookie-H10-CANARY-66", "x-auth-token": "hdr-H10-CANARY-77" });
      res.end(`bad request from ${req.headers.authorization ?? ""}\nwith body ${body.toString()}`);
    } else if (path === "/huge-error") {
      res.writeHead(500, { "content-type": "text/html" });
      res.end(`<html>${"x".repeat(3 * 1024 * 1024)}</html>`);
    } else if (path === "/malformed") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(`{"password": "pw-H10-CANARY-88", "echo": "${req.headers.authorization ?? ""}", broken`);
    } else if (path === "/deep-json") {
      res.writeHead(Number(url.searchParams.get("status") ?? "200"), { "content-type": "application/json" });
      res.end(`${"[".repeat(20_000)}${"]".repeat(20_000)}`);
    } else if (path === "/deep-xml") {
      res.writeHead(Number(url.searchParams.get("status") ?? "200"), { "content-type": "application/xml" });
      res.end(`${"<a>".repeat(20_000)}${"</a>".repeat(20_000)}`);
    } else if (path === "/many-lines") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ items: Array.from({ length: 50_000 }, (_, i) => ({ i })) }));
    } else if (path === "/echo") {
      res.writeHead(200, { "content-type": url.searchParams.get("type") ?? req.headers["content-type"] ?? "application/json" });
      res.end(url.searchParams.get("body") ?? body.toString());
    } else if (path === "/binary-echo") {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.end(Buffer.concat([Buffer.from([0, 1, 2, 0xff]), Buffer.from(String(req.headers.authorization ?? "")), Buffer.from([0])]));
    } else {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: true, path }));
    }
  });
});
after(async () => {
  await server.close();
});
afterEach(() => {
  enableDebug(null);
});

// The README's own 20-line driver, pointed at the loopback server.
class ExampleResponse extends JsonResponse {}
class ExampleConnection extends ConnectionKey {
  static override secure = false;
  static override host = "127.0.0.1";
  static override responseCls = ExampleResponse;
  override addDefaultHeaders(headers: Record<string, string>, _request?: LibcloudRequest): Record<string, string> {
    return { ...headers, Authorization: `Bearer ${this.key}` };
  }
}
/** The same connection with libcloud's plain Response (bodies of any type). */
class PlainConnection extends ExampleConnection {
  static override responseCls = Response;
}
class ExampleDriver extends BaseDriver {
  static override connectionCls = ExampleConnection;
  override name = "Example";
}
function driver(key = TOKEN): ExampleDriver {
  return new ExampleDriver(key, { port: server.port, secure: false });
}

describe("H1: inspect, JSON and console.log of every object a user can hold show no credential", () => {
  test("H1: console.log(response) of the README driver prints no bearer token; nor the request, raw response, transport, driver", { timeout: 10_000 }, async () => {
    const d = driver();
    let hookView = "";
    class Hooked extends ExampleConnection {
      override preConnectHook(params: Params, headers: Record<string, string>, request?: LibcloudRequest): [Params, Record<string, string>] {
        hookView = shown(request);
        return [params, headers];
      }
    }
    const hooked = new Hooked(TOKEN, { port: server.port });
    try {
      const response = await d.connection.request("/v1/servers", { params: { limit: 100 } });
      assert.equal(response.request?.headers["Authorization"], `Bearer ${TOKEN}`, "the hook's request keeps the real header");
      await hooked.request("/v1/servers", { method: "POST", json: { name: "db", password: "pw-H1-CANARY-body" } });
      const raw = await d.connection.request("/v1/servers", { raw: true });
      await raw.body();
      const text = shown(response, response.request, response.response, raw, raw.request, raw.httpResponse, d, d.connection, d.connection.connection);
      assertAbsent(text + hookView, [TOKEN, "cookie-H1-CANARY-55", "pw-H1-CANARY-body"], "an inspected object");
      assert.match(inspect(response), /status: 200/, "the view still shows what is useful");
      assert.match(inspect(response, { depth: 5 }), /Authorization: 'REDACTED'/);
    } finally {
      await d.connection.close();
      await hooked.close();
    }
  });

  test("H1: a transport with a proxy password and a key passphrase shows neither", { timeout: 10_000 }, async () => {
    const proxy = await startProxy({ auth: { user: "u", password: "proxy-H1-CANARY-pw" } });
    const conn = new ExampleConnection(TOKEN, { port: server.port, proxyUrl: `http://u:proxy-H1-CANARY-pw@127.0.0.1:${proxy.port}` });
    try {
      const response = await conn.request("/v1/servers");
      assertAbsent(shown(conn, conn.connection, response), ["proxy-H1-CANARY-pw", TOKEN], "a proxied exchange");
    } finally {
      await conn.close();
      await proxy.close();
    }
  });
});

describe("H16 (inspect): MockHttp shows no credential", () => {
  test("H16: util.inspect and JSON of a MockHttp built with a proxy password, key file and passphrase", () => {
    const mock = new MockHttp({
      host: "api.example.com", port: 443, secure: true, proxyUrl: "http://u:mock-H16-CANARY-pw@proxy:3128",
      keyFile: "-----BEGIN PRIVATE KEY-----\nmock-H16-CANARY-pem\n-----END PRIVATE KEY-----", keyPassphrase: "mock-H16-CANARY-pass",
    });
    assertAbsent(shown(mock), ["mock-H16-CANARY-pw", "mock-H16-CANARY-pem", "mock-H16-CANARY-pass"], "MockHttp");
    assert.match(inspect(mock), /api\.example\.com/);
  });
});

/** Runs a debug log as the shell script it claims to be, with `curl` and `printf` stubbed. */
async function runLogAsShell(log: string, dir: string): Promise<void> {
  const script = join(dir, "log.sh");
  const { writeFileSync } = await import("node:fs");
  writeFileSync(script, log);
  await run("bash", ["-c", `curl() { :; }; printf() { :; }; cd ${JSON.stringify(dir)} && . ./log.sh`], { timeout: 10_000 });
}

describe("H6: nothing written into the debug log leaves its comment", () => {
  test("H6: multi-line error messages, abort reasons, header values, URLs and bodies; running the log runs nothing but curl", { timeout: 15_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "lc-h6-"));
    const pwned = join(dir, "pwned");
    const inject = `\ntouch ${pwned}\n`;
    const sink = collector();
    enableDebug(sink, { prettyPrint: true });
    const conn = new PlainConnection(TOKEN, { port: server.port });
    try {
      // An upload stream failing with a multi-line message.
      const failing = new Readable({
        read() {
          this.destroy(new Error(`disk gone${inject}echo done`));
        },
      });
      await rejection(() => conn.request("/upload", { method: "PUT", data: failing }));
      // An abort with a multi-line reason.
      const controller = new AbortController();
      controller.abort(new Error(`aborted${inject}`));
      await rejection(() => conn.request("/aborted", { signal: controller.signal }));
      const late = new AbortController();
      const pending = conn.request("/upload2", { method: "PUT", data: new Readable({ read() {} }), signal: late.signal });
      setTimeout(() => late.abort(new Error(`abort reason${inject}echo done`)), 50);
      await rejection(() => pending);
      // Header values, URLs and bodies with quotes, $(…), backticks and newlines.
      await conn.request(`/q'$(touch ${pwned})\`touch ${pwned}\``, {
        method: "POST", headers: { "X-Note": `it's $(touch ${pwned}) \`touch ${pwned}\`` },
        data: `line1${inject}'$(touch ${pwned})'`,
      });
      // A response body with newlines and a line that would be a command.
      await conn.request("/echo", { params: { type: "text/plain", body: `ok${inject}rm -rf /` } });
      const log = sink.text();
      for (const line of log.split("\n")) {
        if (line === "") continue;
        assert.ok(line.startsWith("# ") || line === "#" || line.startsWith("curl ") || line.startsWith("printf "), `a line outside a comment: ${JSON.stringify(line)}`);
      }
      await runLogAsShell(log, dir);
      assert.equal(existsSync(pwned), false, "running the log ran an injected command");
    } finally {
      await conn.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("H6: a proxy password with a raw @ never shows in the --proxy word", { timeout: 10_000 }, async () => {
    const password = "p@ss-H6-CANARY:x";
    const proxy = await startProxy({ auth: { user: "u", password } });
    const sink = collector();
    enableDebug(sink);
    const conn = new ExampleConnection(TOKEN, { port: server.port, proxyUrl: `http://u:${password}@127.0.0.1:${proxy.port}` });
    try {
      await conn.request("/v1/servers");
      const log = sink.text();
      assert.match(log, /--proxy 'http:\/\/u:REDACTED@127\.0\.0\.1:\d+'/);
      assertAbsent(log, ["ss-H6-CANARY", "H6-CANARY", "p@ss", encodeURIComponent(password)], "the debug log");
    } finally {
      await conn.close();
      await proxy.close();
    }
  });
});

describe("H8: deep documents are typed errors, and the log never changes an outcome", () => {
  async function outcomes(conn: ExampleConnection): Promise<unknown[]> {
    const out: unknown[] = [];
    for (const path of ["/deep-json", "/deep-json?status=503"]) out.push(await rejection(() => conn.request(path)));
    class X extends ExampleConnection {
      static override responseCls = XmlResponse;
    }
    const xml = new X(TOKEN, { port: server.port });
    for (const path of ["/deep-xml", "/deep-xml?status=503"]) out.push(await rejection(() => xml.request(path)));
    await xml.close();
    return out;
  }

  test("H8: 20,000-deep JSON and XML in a success body → MalformedResponseError; in a 503 → the 503's error, parse error as cause", { timeout: 20_000 }, async () => {
    const conn = new ExampleConnection(TOKEN, { port: server.port });
    try {
      const [json200, json503, xml200, xml503] = await outcomes(conn);
      assert.ok(json200 instanceof MalformedResponseError, `got ${inspect(json200).slice(0, 200)}`);
      assert.ok(xml200 instanceof MalformedResponseError);
      for (const e of [json503, xml503]) {
        assert.ok(e instanceof BaseHTTPError && e.code === 503, `a 503 stays a 503: ${inspect(e).slice(0, 200)}`);
        assert.ok((e as Error).cause instanceof MalformedResponseError);
        assert.ok((e as Error).message.length < 8 * 1024, "the message is bounded");
      }
      // With the debug log and pretty printing on: the same outcomes, and large bodies still succeed.
      const sink = collector();
      enableDebug(sink, { prettyPrint: true });
      const again = await outcomes(conn);
      assert.deepEqual(again.map((e) => [(e as Error).constructor.name, (e as { code?: unknown }).code]), [json200, json503, xml200, xml503].map((e) => [(e as Error).constructor.name, (e as { code?: unknown }).code]));
      const many = await conn.request<{ items: unknown[] }>("/many-lines");
      assert.equal(many.object.items.length, 50_000);
      assert.ok(sink.text().includes("<truncated"), "the big body is cut in the log");
    } finally {
      await conn.close();
    }
  });
});

describe("H9: secrets in paths and bodies never reach NODE_DEBUG, fixture names, method names or binary fixtures", () => {
  test("H9: NODE_DEBUG=libcloud lines scrub a token used as a path segment and signature queries", { timeout: 15_000 }, async () => {
    const child = `
      import { ConnectionKey } from ${JSON.stringify(distIndex)};
      class C extends ConnectionKey { static secure = false; }
      const conn = new C("path-H9-CANARY-token1", { host: "127.0.0.1", port: ${server.port} });
      await conn.request("/v1/" + conn.key + "/servers", { params: { sig: "sig-H9-CANARY-2", prefix: "a" } });
      await conn.request("/v1/servers?path-H9-CANARY-bare3");
      await conn.close();
    `;
    const { stderr } = await run(process.execPath, ["--input-type=module", "-e", child], { env: { ...process.env, NODE_DEBUG: "libcloud" }, timeout: 10_000 });
    assert.match(stderr, /LIBCLOUD \d+: .* GET http:\/\/127\.0\.0\.1:\d+\/v1\/REDACTED\/servers\?sig=REDACTED&prefix=a -> 200/);
    assertAbsent(stderr, ["H9-CANARY"], "NODE_DEBUG output");
  });

  test("H9: recording — a path token is not in file names, method names or contents; binary bodies scrubbed; a 300-byte name shortened, not dropped; warnings name no secret", { timeout: 15_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "lc-h9-"));
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(`${w.name} ${w.message}`);
    process.on("warning", onWarning);
    const key = "rec-H9-CANARY-token4";
    const conn = new ExampleConnection(key, { port: server.port });
    const short = new ExampleConnection("test", { port: server.port });
    const recorder = startRecording(join(dir, "fx"));
    try {
      await conn.request(`/v1/${key}/servers`);
      await conn.request("/binary-echo", { raw: true }).then(async (r: RawResponse) => r.body());
      await conn.request(`/long/${"segment-".repeat(40)}`);
      await short.request("/echo", { params: { body: JSON.stringify({ latest: "test", contest: 1 }) } });
      await new Promise((r) => setTimeout(r, 50));
      const files = readdirSync(join(dir, "fx"));
      const contents = files.map((f) => readFileSync(join(dir, "fx", f)).toString("latin1")).join("\n");
      assertAbsent(files.join("\n") + contents + recorder.source(), ["H9-CANARY"], "recorded fixtures");
      assert.ok(files.some((f) => f.startsWith("_v1_REDACTED_servers")), `a fixture per request: ${files.join(", ")}`);
      assert.ok(files.some((f) => f.startsWith("_binary_echo") && readFileSync(join(dir, "fx", f)).includes("REDACTED")), "the echoed token scrubbed from binary bytes");
      const long = files.find((f) => f.startsWith("_long_"));
      assert.ok(long !== undefined && Buffer.byteLength(long) <= 255, `the long fixture is written under a shorter name: ${files.join(", ")}`);
      assert.ok(contents.includes("latest") && contents.includes("contest"), "a short key does not eat ordinary words");
      assert.ok(warnings.some((w) => /too short to scrub safely/.test(w)), `a short key warns: ${warnings.join(" | ")}`);
      assertAbsent(warnings.join("\n"), ["H9-CANARY"], "warnings");
    } finally {
      recorder.stop();
      process.off("warning", onWarning);
      await conn.close();
      await short.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("H10: errors carry no secrets and stay bounded", () => {
  test("H10: an echoed key is scrubbed from message and stack; Set-Cookie and credential headers redacted; MalformedResponseError.body redacted; a 3 MB page is cut saying how much", { timeout: 15_000 }, async () => {
    const conn = new ExampleConnection(TOKEN, { port: server.port });
    try {
      const echoed = await rejection(() => conn.request("/echo-error", { method: "POST", json: { password: "pw-H10-CANARY-99" } }));
      assert.ok(echoed instanceof BaseHTTPError && echoed.code === 400);
      assert.match(echoed.message, /^bad request from (Bearer )?REDACTED\nwith body \{"password":"REDACTED"\}$/);
      assert.equal(echoed.headers["set-cookie"], "REDACTED");
      assert.equal(echoed.headers["x-auth-token"], "REDACTED");
      assert.equal(echoed.headers["content-type"], "text/plain");
      const malformed = await rejection(() => conn.request("/malformed"));
      assert.ok(malformed instanceof MalformedResponseError);
      assert.ok(typeof malformed.body === "string" && malformed.body.includes("REDACTED"));
      const huge = await rejection(() => conn.request("/huge-error"));
      assert.ok(huge instanceof BaseHTTPError && huge.code === 500);
      assert.ok(huge.message.length < 8 * 1024, `message of ${huge.message.length} characters`);
      assert.match(huge.message, /\[\d+ more characters cut\]$/);
      assert.ok(String(huge.stack).length < 16 * 1024);
      const text = [echoed, malformed, huge].map((e) => shown(e, (e as Error).message, (e as Error).stack)).join("\n");
      assertAbsent(text, [TOKEN, "pw-H10-CANARY-99", "cookie-H10-CANARY-66", "hdr-H10-CANARY-77", "pw-H10-CANARY-88"], "an error");
    } finally {
      await conn.close();
    }
  });
});

describe("H11: the log's redaction has no gaps", () => {
  test("H11: JSON-escaped echoes, XML attributes and elements anywhere, bodies over the limit, DOCTYPE documents, cookie echoes, bare ?token, SAS sig inside x-ms-copy-source", { timeout: 15_000 }, async () => {
    const slash = "tok/H11-CANARY/slash1";
    const sink = collector();
    enableDebug(sink, { maxBodyBytes: 2048 });
    const conn = new PlainConnection(slash, { port: server.port });
    try {
      const echo = (body: string, type: string): Promise<unknown> => conn.request("/echo", { method: "POST", data: body, headers: { "Content-Type": type } });
      await echo(JSON.stringify({ echoed: slash }), "application/json"); // JSON.stringify keeps "/": a server may send "tok\/…"
      await echo(`{"echoed": "${slash.replace(/\//g, "\\/")}"}`, "application/json");
      await echo('<R><Deep><Deeper><Password>xml-H11-CANARY-el2</Password></Deeper></Deep><Cred secretKey="xml-H11-CANARY-attr3"/></R>', "application/xml");
      // Over the log's 2 KiB body limit: the shown part is redacted by pattern, the rest is not shown.
      await echo(`{"password": "cut-H11-CANARY-5", "pad": "${"y".repeat(3000)}", "apiKey": "cut-H11-CANARY-4"}`, "application/json");
      await echo('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x">]><r><AccessToken>dtd-H11-CANARY-6</AccessToken></r>', "application/xml");
      await conn.request("/echo", { headers: { Cookie: "a=1; session=cookie-H11-CANARY-7" }, params: { body: "your cookie was cookie-H11-CANARY-7", type: "text/plain" } });
      await conn.request("/v1/servers?bare-H11-CANARY-8");
      await conn.request("/copy", {
        method: "PUT",
        headers: { "x-ms-copy-source": "https://acct.blob.core.windows.net/c/o?sv=2021-08-06&sr=b&sig=sas-H11-CANARY-9%3D&se=2030-01-01" },
      });
      const log = sink.text();
      assertAbsent(log, ["H11-CANARY"], "the debug log");
      assert.match(log, /x-ms-copy-source: https:\/\/acct\.blob\.core\.windows\.net\/c\/o\?sv=REDACTED&sr=REDACTED&sig=REDACTED&se=REDACTED/);
    } finally {
      await conn.close();
    }
  });
});
