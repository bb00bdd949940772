// The secret-canary sweep (issue 10, Deliver §2): a distinctive canary in every credential slot
// the library knows, every request path driven with the debug log, NODE_DEBUG and recording on,
// and the canary looked for in everything observable. The walk visits every own property of every
// object it is handed (hidden ones included) and renders each with inspect, JSON and String, so a
// new field, getter-free output channel or error property that carries a secret fails this test
// until it is redacted. Only the raw slots a hook or a caller must read (the request being built,
// the response's own headers and body) are exempt, by name, below.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { startProxy } from "../helpers/proxy.js";
import { pem, startTlsServer } from "../helpers/tls-server.js";

// NODE_DEBUG is read when the process starts: without it, this file runs itself in a child that has it.
const withNodeDebug = /\blibcloud\b/i.test(process.env["NODE_DEBUG"] ?? "");
const lib = await import("../../src/index.js");
const kit = await import("../../src/test/index.js");
const { ConnectionUserAndKey, PollingConnection, JsonResponse, KeyCertificateConnection, enableDebug } = lib;

const ROOT = "Zq7CANARY";
/** A canary per slot, all sharing ROOT, so one search finds any of them. */
const canary = (slot: string): string => `${slot}${ROOT}${slot.length}x9`;
const KEY = canary("key");
const SECRET = canary("secret");
const BEARER = canary("bearer");
const APIKEY = canary("apikey");
const SIG = canary("sig");
/** A token as a URL path segment: the connection's key, as some APIs put it (`/v1/<key>/servers`). */
const PATH_TOKEN = KEY;
const PASSWORD = canary("password");
const PROXY_PASSWORD = `p@${canary("proxypw")}`;
const PASSPHRASE = canary("passphrase");

/** Raw slots: data a hook or caller must be able to read as it is. Everything else must be clean. */
const RAW_SLOTS = new Set(["headers", "params", "data", "url", "action", "body", "rawHeaders", "object", "errorBody", "_request"]);

const outputs: string[] = [];

function trace(label: string): void {
  if (process.env["CANARY_TRACE"] !== undefined) console.log(`canary: ${label}`);
}

function render(value: unknown): string {
  const parts: string[] = [];
  try {
    parts.push(inspect(value, { depth: 6, showHidden: true, getters: false }));
  } catch (error) {
    parts.push(`inspect threw ${String(error)}`);
  }
  try {
    parts.push(JSON.stringify(value) ?? "");
  } catch {
    // Cycles: inspect covers them.
  }
  try {
    parts.push(String(value));
  } catch {
    // No toString.
  }
  if (value instanceof Error) parts.push(String(value.message), String(value.stack));
  return parts.join("\n");
}

/** Renders `root` and every object reachable from it through own enumerable properties, outside raw slots. */
function observe(root: unknown, label: string): void {
  const seen = new Set<unknown>();
  const work: Array<[unknown, string]> = [[root, label]];
  while (work.length > 0 && seen.size < 5000) {
    const [value, path] = work.pop()!;
    if (value === null || value === undefined || seen.has(value)) continue;
    if (typeof value === "string") {
      outputs.push(`${path}: ${value}`);
      continue;
    }
    if (typeof value !== "object" && typeof value !== "function") continue;
    if (Buffer.isBuffer(value) || value instanceof Readable) continue;
    seen.add(value);
    outputs.push(`${path} = ${render(value)}`);
    if (typeof value === "function") continue;
    // Enumerable own properties: what Object.entries, spreading and default inspect reach. Hidden
    // ones (a connection's key) are reached only through the renderings above, which showHidden covers.
    for (const key of Object.keys(value)) {
      if (RAW_SLOTS.has(key)) continue;
      const desc = Object.getOwnPropertyDescriptor(value, key);
      if (desc === undefined || !("value" in desc)) continue;
      work.push([desc.value, `${path}.${key}`]);
    }
    if (value instanceof Error && value.cause !== undefined) work.push([value.cause, `${path}.cause`]);
  }
}

async function outcome(label: string, fn: () => Promise<unknown>): Promise<void> {
  trace(label);
  try {
    const result = await fn();
    observe(result, label);
    if (result instanceof lib.RawResponse) await result.body().catch((e: unknown) => observe(e, `${label}.body()`));
  } catch (error) {
    observe(error, `${label} (error)`);
  }
}

if (!withNodeDebug) {
  test("canary sweep (run in a child with NODE_DEBUG=libcloud)", { timeout: 90_000 }, async () => {
    const self = fileURLToPath(import.meta.url);
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const { NODE_TEST_CONTEXT: _ctx, ...env } = process.env;
      const child = spawn(process.execPath, [self], { env: { ...env, NODE_DEBUG: "libcloud" } });
      const chunks: Buffer[] = [];
      child.stdout.on("data", (c: Buffer) => chunks.push(c));
      child.stderr.on("data", (c: Buffer) => chunks.push(c));
      child.on("close", (exit) => resolve({ code: exit, output: Buffer.concat(chunks).toString() }));
    });
    assert.equal(code, 0, `the sweep failed:\n${output.split("\n").filter((l) => !/^LIBCLOUD \d+:/.test(l)).join("\n").slice(0, 6000)}`);
    // TAP ("# pass 1") on Node 20 and 22; Node 24 prints the spec reporter ("ℹ pass 1") by default.
    assert.match(output, /^(?:# |ℹ )pass 1$/m);
  });
} else test("canary sweep: no canary from any credential slot in any output, on every request path and failure", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "lc-canary-"));
  const stderr: string[] = [];
  const realWrite = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    stderr.push(String(chunk));
    return (realWrite as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
  });
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
  process.on("warning", onWarning);
  const log: string[] = [];
  enableDebug({ write: (t: string, cb?: (e?: Error | null) => void) => { log.push(t); cb?.(); return true; } }, { prettyPrint: true });
  const recorder = kit.startRecording(join(dir, "fixtures"));

  let attempts = 0;
  let polls = 0;
  // A server that echoes every credential it receives, in bodies of every kind and in error pages.
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      const echo = `${req.url ?? ""} ${JSON.stringify(req.headers)} ${body}`;
      const path = `/${(req.url ?? "/").split("?")[0]!.split("/")[1] ?? ""}`;
      if (path === "/retry" && attempts++ === 0) {
        res.writeHead(503, { "content-type": "text/plain", "retry-after": "0" });
        res.end(`busy ${echo}`);
      } else if (path === "/redirect") {
        res.writeHead(307, { location: `/json?sig=${SIG}` });
        res.end();
      } else if (path === "/poll") {
        polls++;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ done: polls > 2, echo }));
      } else if (path === "/error") {
        res.writeHead(401, { "content-type": "application/json", "set-cookie": `sid=${canary("cookie")}` });
        res.end(JSON.stringify({ error: `bad credentials ${echo}`, access_token: canary("token") }));
      } else if (path === "/malformed") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(`{"echo": ${JSON.stringify(echo)}, oops`);
      } else if (path === "/xml") {
        res.writeHead(200, { "content-type": "application/xml" });
        res.end(`<r><Password>${PASSWORD}</Password><e a="${encodeURIComponent(echo).slice(0, 2000)}"/></r>`);
      } else if (path === "/binary") {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        res.end(Buffer.concat([Buffer.from([0, 0xff]), Buffer.from(echo)]));
      } else if (path === "/hang") {
        // never answers
      } else if (path === "/reset") {
        req.socket.destroy();
      } else {
        res.writeHead(200, { "content-type": "application/json", "set-cookie": `sid=${canary("cookie")}` });
        res.end(JSON.stringify({ echo, password: PASSWORD }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  const garbageSockets = new Set<net.Socket>();
  const garbage = net.createServer((s) => {
    garbageSockets.add(s);
    s.on("error", () => {});
    s.end("HTTP/1.1 ??? nonsense\r\n\r\n");
  });
  await new Promise<void>((r) => garbage.listen(0, "127.0.0.1", r));
  const closed = net.createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  const refusedPort = (closed.address() as net.AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const tls = await startTlsServer((_req, res) => void res.end("x"), { cert: "self-signed" });
  const proxy = await startProxy({ auth: { user: "u", password: PROXY_PASSWORD } });

  /** Every header and query slot: key and secret, bearer, API key, signature, path token, body password. */
  class Canary extends ConnectionUserAndKey {
    static override secure = false;
    static override responseCls: typeof lib.Connection.responseCls = JsonResponse;
    static override sensitiveHeaders = ["X-Api-Key"];
    override addDefaultHeaders(headers: Record<string, string>): Record<string, string> {
      return { ...headers, Authorization: `Bearer ${BEARER}`, "X-Api-Key": APIKEY, Cookie: `session=${canary("reqcookie")}` };
    }
    override addDefaultParams(params: Record<string, string>): Record<string, string> {
      return { ...params, Signature: SIG, AWSAccessKeyId: this.key, token: SECRET };
    }
  }
  class Poller extends PollingConnection {
    static override secure = false;
    // A polling connection that holds a key (PORTING 25), non-enumerable as ConnectionKey's.
    constructor(options: ConstructorParameters<typeof PollingConnection>[0]) {
      super(options);
      Object.defineProperty(this, "key", { value: KEY, enumerable: false });
    }
    static override responseCls = JsonResponse;
    override addDefaultHeaders(headers: Record<string, string>): Record<string, string> {
      return { ...headers, Authorization: `Bearer ${BEARER}` };
    }
    override getPollRequestOptions(): { action: string } {
      return { action: `/poll/${PATH_TOKEN}` };
    }
    override hasCompleted(response: InstanceType<typeof lib.Response>): boolean {
      return (response.object as { done: boolean }).done;
    }
  }
  const opts = { host: "127.0.0.1", port };
  const c = new Canary("sweep-user", KEY, opts);
  const viaProxy = new Canary("sweep-user", KEY, { ...opts, proxyUrl: `http://u:${PROXY_PASSWORD.replace("@", "%40")}@127.0.0.1:${proxy.port}` });
  const rawProxyPw = new Canary("sweep-user", KEY, { ...opts, proxyUrl: `http://u:${PROXY_PASSWORD}@127.0.0.1:${proxy.port}` });
  const poller = new Poller({ ...opts });
  const slow = new Canary("sweep-user", KEY, { ...opts, timeout: 300 });
  const bad = new Canary("sweep-user", KEY, { host: "127.0.0.1", port: (garbage.address() as net.AddressInfo).port });
  const refused = new Canary("sweep-user", KEY, { host: "127.0.0.1", port: refusedPort });
  const tlsConn = new Canary("sweep-user", KEY, { host: "localhost", port: tls.port, secure: true });
  const json = { password: PASSWORD, nested: { clientSecret: SECRET, apiKey: APIKEY } };
  try {
    await outcome("buffered", () => c.request(`/json/${PATH_TOKEN}`, { method: "POST", json }));
    await outcome("form", () => c.request("/json", { method: "POST", data: `user=a&password=${PASSWORD}`, headers: { "Content-Type": "application/x-www-form-urlencoded" } }));
    await outcome("raw", () => c.request(`/binary/${PATH_TOKEN}`, { raw: true }));
    await outcome("streamed upload", () => c.request("/json", { method: "PUT", data: Readable.from([Buffer.from(JSON.stringify(json))]), headers: { "Content-Type": "application/json" } }));
    await outcome("xml", async () => {
      class X extends Canary {
        static override responseCls = lib.XmlResponse;
      }
      const x = new X("sweep-user", KEY, opts);
      try {
        return await x.request("/xml");
      } finally {
        await x.close();
      }
    });
    await outcome("retried", () => c.request("/retry", { retryFailed: true }));
    await outcome("redirected", () => c.request("/redirect"));
    await outcome("polled", () => poller.asyncRequest(`/poll/${PATH_TOKEN}`, { method: "POST", data: JSON.stringify(json) }));
    await outcome("proxied", () => viaProxy.request(`/json/${PATH_TOKEN}`));
    await outcome("proxied, raw @ in the password", () => rawProxyPw.request("/json", { raw: true }));
    await outcome("401", () => c.request(`/error/${PATH_TOKEN}`, { method: "POST", json }));
    await outcome("malformed", () => c.request(`/malformed/${PATH_TOKEN}`));
    await outcome("timeout", () => slow.request(`/hang/${PATH_TOKEN}`));
    await outcome("reset", () => c.request(`/reset/${PATH_TOKEN}`, { method: "POST", json }));
    await outcome("bad response", () => bad.request(`/x/${PATH_TOKEN}`));
    await outcome("refused", () => refused.request(`/x/${PATH_TOKEN}`));
    await outcome("TLS error", () => tlsConn.request(`/x/${PATH_TOKEN}`));
    await outcome("key passphrase", async () => {
      const k = new KeyCertificateConnection(join(pem("ca.pem"), "..", "client-encrypted.key"), join(pem("ca.pem"), "..", "client.pem"), { host: "localhost", port: tls.port, keyPassphrase: PASSPHRASE });
      observe(k, "key certificate connection");
      try {
        return await k.request("/");
      } finally {
        await k.close();
      }
    });
    await outcome("mock", async () => {
      const mock = new kit.MockHttp({ host: "x", port: 443, secure: true, proxyUrl: `http://u:${PROXY_PASSWORD}@p:1`, keyPassphrase: PASSPHRASE });
      observe(mock, "mock");
      return mock;
    });
    for (const conn of [c, viaProxy, poller, slow, tlsConn]) observe(conn, "connection");
    await new Promise((r) => setTimeout(r, 100));
    trace("closing");
  } finally {
    recorder.stop();
    enableDebug(null);
    process.stderr.write = realWrite;
    process.off("warning", onWarning);
    for (const conn of [c, viaProxy, rawProxyPw, poller, slow, bad, refused, tlsConn]) await conn.close();
    trace("connections closed");
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    trace("server closed");
    for (const s of garbageSockets) s.destroy();
    await new Promise<void>((r) => garbage.close(() => r()));
    await tls.close();
    await proxy.close();
    trace("all closed");
  }
  const fixtureDir = join(dir, "fixtures");
  const files = readdirSync(fixtureDir);
  const fixtures = files.map((f) => `${f}\n${readFileSync(join(fixtureDir, f)).toString("latin1")}`).join("\n");
  rmSync(dir, { recursive: true, force: true });

  // The sweep saw what it should: requests were logged, summarised and recorded, and the paths ran.
  assert.ok(log.join("").includes("curl "), "the debug log was written");
  assert.ok(stderr.join("").includes("LIBCLOUD"), "NODE_DEBUG lines were written");
  assert.ok(files.length >= 8, `fixtures were recorded: ${files.join(", ")}`);
  assert.ok(attempts >= 2 && polls >= 3, "retry and polling ran");
  const channels: Array<[string, string]> = [
    ["an inspected, JSON-encoded or walked object", outputs.join("\n")],
    ["the debug log", log.join("")],
    ["stderr (NODE_DEBUG, warnings)", stderr.join("")],
    ["a warning", warnings.join("\n")],
    ["a fixture file name or content", fixtures],
  ];
  for (const [where, text] of channels) {
    const at = text.indexOf(ROOT);
    assert.ok(at < 0, `a canary leaked into ${where}: …${text.slice(Math.max(0, at - 300), at + 80)}…`);
  }
});
