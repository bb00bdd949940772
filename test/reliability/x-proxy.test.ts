// docs/RELIABILITY.md group X: proxies, with a real forward proxy (the `proxy` package) and, for refused
// tunnels, a raw server answering CONNECT by hand.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ConfigError, Connection, ConnectionError, ProxyError, TlsError,
} from "../../src/index.js";
import { matchesNoProxy, parseProxyUrl, proxyFromEnvironment } from "../../src/http/proxy.js";
import { FakeClock } from "../../src/test/fake-clock.js";
import { setClock } from "../../src/utils/clock.js";
import { startProxy } from "../helpers/proxy.js";
import { closedPort, respond, startRawServer } from "../helpers/raw-server.js";
import { startServer } from "../helpers/server.js";
import { pem, startTlsServer } from "../helpers/tls-server.js";
import { assertNoSecret, assertTyped, rejection } from "./assert.js";

const PROXY_ENV = ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY"];

/** Runs `fn` with the proxy environment variables set as given (all others unset), then restores them. */
async function withEnv(vars: Record<string, string>, fn: () => Promise<void>): Promise<void> {
  const saved = Object.fromEntries(PROXY_ENV.map((k) => [k, process.env[k]]));
  for (const k of PROXY_ENV) delete process.env[k];
  Object.assign(process.env, vars);
  try {
    await fn();
  } finally {
    for (const k of PROXY_ENV) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

test("X1: https_proxy with a percent-encoded password → CONNECT carries Basic user:pa@ss; the target never sees Proxy-Authorization", { timeout: 5000 }, async () => {
  const target = await startTlsServer((_req, res) => void res.end("tunnelled"));
  const proxy = await startProxy({ auth: { user: "user", password: "pa@ss" } });
  await withEnv({ https_proxy: `http://user:pa%40ss@127.0.0.1:${proxy.port}` }, async () => {
    const conn = new Connection({ host: "localhost", port: target.port, caCert: pem("ca.pem"), timeout: 2000 });
    try {
      assert.equal((await conn.request("/")).body, "tunnelled");
      assert.equal(proxy.seen.length, 1);
      assert.equal(proxy.seen[0]!.method, "CONNECT");
      assert.equal(proxy.seen[0]!.url, `localhost:${target.port}`);
      assert.equal(proxy.seen[0]!.proxyAuthorization, basic("user", "pa@ss"));
      assert.equal(target.requests[0]!.headers["proxy-authorization"], undefined);
      assert.doesNotMatch(target.requests[0]!.rawHeaders.join("\n"), /proxy-auth/i);
    } finally {
      await conn.close();
    }
  });
  await proxy.close();
  await target.close();
});

test("X2: plain-http target through the proxy → absolute-form request with the credentials; Host is the target's", { timeout: 5000 }, async () => {
  const target = await startServer((_req, res) => void res.end("direct-ish"));
  const proxy = await startProxy({ auth: { user: "u", password: "p:w" } });
  const conn = new Connection({ host: "127.0.0.1", port: target.port, secure: false, proxyUrl: `http://u:p%3Aw@127.0.0.1:${proxy.port}`, timeout: 2000 });
  try {
    assert.equal((await conn.request("/path?q=1")).body, "direct-ish");
    assert.equal(proxy.seen[0]!.method, "GET");
    assert.equal(proxy.seen[0]!.url, `http://127.0.0.1:${target.port}/path?q=1`);
    assert.equal(proxy.seen[0]!.proxyAuthorization, basic("u", "p:w"));
    assert.equal(proxy.seen[0]!.host, `127.0.0.1:${target.port}`);
    assert.equal(target.requests[0]!.headers.host, `127.0.0.1:${target.port}`);
    assert.equal(target.requests[0]!.headers["proxy-authorization"], undefined);
  } finally {
    await conn.close();
    await proxy.close();
    await target.close();
  }
});

test("T13 through a proxy: maxConnections caps the sockets to the proxy, for absolute-form requests and for CONNECT tunnels", { timeout: 10_000 }, async () => {
  const plain = await startServer((req, res) => void setTimeout(() => res.end(req.url), 20));
  const tls = await startTlsServer((req, res) => void setTimeout(() => res.end(req.url), 20));
  try {
    for (const label of ["absolute form", "tunnels"]) {
      const proxy = await startProxy();
      let open = 0;
      let mostOpen = 0;
      proxy.proxy.on("connection", (socket) => {
        mostOpen = Math.max(mostOpen, ++open);
        socket.on("close", () => open--);
      });
      const conn = label === "tunnels"
        ? new Connection({ host: "localhost", port: tls.port, caCert: pem("ca.pem"), proxyUrl: proxy.url, maxConnections: 2, timeout: 5000 })
        : new Connection({ host: "127.0.0.1", port: plain.port, secure: false, proxyUrl: proxy.url, maxConnections: 2, timeout: 5000 });
      try {
        const bodies = await Promise.all(Array.from({ length: 12 }, (_v, i) => conn.request(`/r${i}`).then((r) => r.body)));
        assert.deepEqual(bodies, Array.from({ length: 12 }, (_v, i) => `/r${i}`));
        assert.ok(mostOpen <= 2 && mostOpen >= 1, `${label}: at most 2 sockets to the proxy at once (saw ${mostOpen})`);
      } finally {
        await conn.close();
        await proxy.close();
      }
    }
  } finally {
    await plain.close();
    await tls.close();
  }
});

test("X3: proxy URL parsing — userinfo decoded exactly once, missing port defaults, socks5 and garbage refused without echoing the password", { timeout: 5000 }, () => {
  const p1 = parseProxyUrl("http://us%3Aer:p%3A%40%2Fss%C3%A9@proxy.local:3128");
  assert.deepEqual([p1.username, p1.password, p1.host, p1.port], ["us:er", "p:@/ssé", "proxy.local", 3128]);
  const p2 = parseProxyUrl("http://user:p@ss@proxy.local:8080"); // a raw "@" in the password: the last "@" ends userinfo
  assert.deepEqual([p2.username, p2.password, p2.host], ["user", "p@ss", "proxy.local"]);
  const p3 = parseProxyUrl("http://user:%2540@proxy.local:8080"); // "%2540" is "%40" after one decoding, never "@"
  assert.equal(p3.password, "%40");
  // A username without a password is refused, as libcloud refuses it (issue 11; test below).
  assert.throws(() => parseProxyUrl("http://onlyuser@proxy.local:8080"), ConfigError);
  // Decision: a missing port is the scheme's own (80/443), as curl and undici do; libcloud raised ValueError.
  assert.equal(parseProxyUrl("http://proxy.local").port, 80);
  assert.equal(parseProxyUrl("https://proxy.local").port, 443);
  // The password is not enumerable, so inspect/JSON never show it.
  assert.ok(!JSON.stringify(p1).includes("ss%C3%A9") && !JSON.stringify(p1).includes("p:@/ss"));
  for (const bad of ["socks5://user:hunter2@proxy.local:1080", "http://user:hunter2@", "not a url hunter2", "http://user:hunter2@proxy.local:8080/path"]) {
    const err = (() => { try { parseProxyUrl(bad); } catch (e) { return e; } return undefined; })();
    assertTyped(err, ConfigError);
    assert.match((err as Error).message, /proxy_url must be in the following format/);
    assertNoSecret(err, ["hunter2"]);
  }
  const fromEnv = (() => { try { proxyFromEnvironment(true, "h", 443, { HTTPS_PROXY: "socks5://u:hunter2@p:1080" }); } catch (e) { return e; } return undefined; })();
  assertTyped(fromEnv, ConfigError);
  assert.match((fromEnv as Error).message, /HTTPS_PROXY/);
  assertNoSecret(fromEnv, ["hunter2"]);
  const ctor = (() => { try { return new Connection({ proxyUrl: "ftp://u:hunter2@p:21" }); } catch (e) { return e; } })();
  assertTyped(ctor, ConfigError);
  assertNoSecret(ctor, ["hunter2"]);
});

test("X4: https target through the proxy with a self-signed or wrong-host certificate → TlsError (verified end to end against the target)", { timeout: 5000 }, async () => {
  const proxy = await startProxy();
  for (const [cert, code] of [["self-signed", /SELF_SIGNED|UNABLE_TO_VERIFY/], ["wrong-host", /ERR_TLS_CERT_ALTNAME_INVALID/]] as const) {
    const target = await startTlsServer((_req, res) => void res.end("must not arrive"), { cert });
    const conn = new Connection({ host: "localhost", port: target.port, caCert: pem("ca.pem"), proxyUrl: proxy.url, timeout: 2000 });
    try {
      assertTyped(await rejection(() => conn.request("/")), TlsError, code);
      assert.equal(target.requests.length, 0);
    } finally {
      await conn.close();
      await target.close();
    }
  }
  assert.ok(proxy.seen.every((s) => s.method === "CONNECT"));
  await proxy.close();
});

test("X5: proxy answers CONNECT with 407, 403, 502, or closes → ProxyError{statusCode}; 407/403 not retried; password never shown", { timeout: 10_000 }, async () => {
  const restore = setClock(new FakeClock());
  try {
    for (const answer of [407, 403, 502, "close"] as const) {
      const fake = await startRawServer((socket) => {
        if (answer === "close") return void socket.end();
        respond(socket, `HTTP/1.1 ${answer} Nope\r\nProxy-Authenticate: Basic realm="x"\r\nContent-Length: 0\r\n\r\n`, { end: true });
      });
      const conn = new Connection({ host: "localhost", port: 9, proxyUrl: `http://alice:hunter2-pw@127.0.0.1:${fake.port}`, timeout: 2000, retryDelay: 100 });
      try {
        const err = await rejection(() => conn.request("/", { retryFailed: true }));
        const e = assertTyped(err, ProxyError);
        assert.equal(e.statusCode, answer === "close" ? undefined : answer);
        assert.equal(e.requestSent, false);
        assertNoSecret(err, ["hunter2-pw", Buffer.from("alice:hunter2-pw").toString("base64")]);
        if (answer === 407 || answer === 403) assert.equal(fake.heads.length, 1, `${answer} is not retried`);
        else assert.ok(fake.heads.length > 1, `${answer} is transient`);
      } finally {
        await conn.close();
        await fake.close();
      }
    }
  } finally {
    restore();
  }
});

test("X6: proxied cross-origin redirect → Proxy-Authorization goes to the proxy on each CONNECT, never to either target", { timeout: 5000 }, async () => {
  const b = await startTlsServer((_req, res) => void res.end("at B"));
  const a = await startTlsServer((_req, res) => {
    res.writeHead(302, { location: `https://localhost:${b.port}/b` });
    res.end();
  });
  const proxy = await startProxy({ auth: { user: "pu", password: "pp" } });
  const conn = new Connection({ host: "localhost", port: a.port, caCert: pem("ca.pem"), proxyUrl: `http://pu:pp@127.0.0.1:${proxy.port}`, timeout: 2000 });
  try {
    assert.equal((await conn.request("/a")).body, "at B");
    assert.deepEqual(proxy.seen.map((s) => [s.method, s.url, s.proxyAuthorization]), [
      ["CONNECT", `localhost:${a.port}`, basic("pu", "pp")],
      ["CONNECT", `localhost:${b.port}`, basic("pu", "pp")],
    ]);
    for (const seen of [...a.requests, ...b.requests]) assert.equal(seen.headers["proxy-authorization"], undefined);
  } finally {
    await conn.close();
    await proxy.close();
    await a.close();
    await b.close();
  }
});

test("X7: while proxied, the follow-up of a redirect goes through the proxy too (absolute form here; tunnels in X6)", { timeout: 5000 }, async () => {
  const b = await startServer((_req, res) => void res.end("B"));
  const a = await startServer((_req, res) => {
    res.writeHead(301, { location: `http://127.0.0.1:${b.port}/next` });
    res.end();
  });
  const proxy = await startProxy();
  const conn = new Connection({ host: "127.0.0.1", port: a.port, secure: false, proxyUrl: proxy.url, timeout: 2000 });
  try {
    assert.equal((await conn.request("/")).body, "B");
    assert.deepEqual(proxy.seen.map((s) => s.url), [`http://127.0.0.1:${a.port}/`, `http://127.0.0.1:${b.port}/next`]);
    assert.match(String(b.requests[0]!.headers.via), /proxy/, "B was reached through the proxy");
  } finally {
    await conn.close();
    await proxy.close();
    await a.close();
    await b.close();
  }
});

test("X8: environment — explicit proxyUrl wins; by target scheme; lower case beats upper case even when empty; NO_PROXY rules; setHttpProxy() on a live connection", { timeout: 5000 }, async () => {
  const env = (vars: Record<string, string>, secure: boolean, host = "api.example.com", port = secure ? 443 : 80): string | undefined =>
    proxyFromEnvironment(secure, host, port, vars);
  assert.equal(env({ https_proxy: "http://s:1", http_proxy: "http://h:1" }, true), "http://s:1");
  assert.equal(env({ https_proxy: "http://s:1", http_proxy: "http://h:1" }, false), "http://h:1");
  assert.equal(env({ http_proxy: "http://h:1" }, true), undefined, "http_proxy is not used for https targets (undici rules, not libcloud's)");
  assert.equal(env({ HTTPS_PROXY: "http://upper:1" }, true), "http://upper:1");
  assert.equal(env({ https_proxy: "http://lower:1", HTTPS_PROXY: "http://upper:1" }, true), "http://lower:1");
  assert.equal(env({ https_proxy: "", HTTPS_PROXY: "http://upper:1" }, true), undefined, "an empty lower-case value wins");
  const np = (list: string, host: string, port = 443): boolean => matchesNoProxy(list, host, port);
  assert.ok(np("*", "anything.example"));
  assert.ok(np("api.example.com", "api.example.com"));
  assert.ok(np("example.com", "api.example.com"), "suffix without a leading dot");
  assert.ok(np(".example.com", "api.example.com"), "suffix with a leading dot");
  assert.ok(np(".example.com", "example.com"));
  assert.ok(np("API.Example.COM.", "api.example.com."), "case-insensitive, trailing dot normalised");
  assert.ok(np("api.example.com:443", "api.example.com", 443));
  assert.ok(!np("api.example.com:8443", "api.example.com", 443));
  assert.ok(np("10.1.2.3", "10.1.2.3"));
  assert.ok(np("[::1]", "::1"));
  assert.ok(np("[::1]:443", "::1", 443));
  assert.ok(!np("ample.com", "example.com"), "no substring matching");
  assert.ok(!np("example.com", "notexample.com"));
  assert.ok(!np("10.0.0.0/8", "10.1.2.3"), "no CIDR matching");
  assert.ok(!np("127.0.0.1", "localhost"), "127.0.0.1 does not match localhost");
  assert.ok(!np("localhost", "127.0.0.1"));
  assert.equal(env({ https_proxy: "http://s:1", no_proxy: "example.com", NO_PROXY: "other.org" }, true), undefined, "lower-case no_proxy wins");

  // Integration: env proxy used, NO_PROXY bypasses it, explicit proxyUrl beats both; setHttpProxy switches a live connection.
  const target = await startServer((_req, res) => void res.end("t"));
  const proxy = await startProxy();
  const other = await startProxy();
  try {
    await withEnv({ http_proxy: proxy.url }, async () => {
      const viaEnv = new Connection({ host: "127.0.0.1", port: target.port, secure: false });
      await viaEnv.request("/env");
      assert.equal(proxy.seen.length, 1);
      const explicit = new Connection({ host: "127.0.0.1", port: target.port, secure: false, proxyUrl: other.url });
      await explicit.request("/explicit");
      assert.equal(other.seen.length, 1);
      assert.equal(proxy.seen.length, 1);
      const none = new Connection({ host: "127.0.0.1", port: target.port, secure: false, proxyUrl: null });
      await none.request("/none");
      assert.equal(proxy.seen.length + other.seen.length, 2);
      await Promise.all([viaEnv.close(), explicit.close(), none.close()]);
    });
    await withEnv({ http_proxy: proxy.url, NO_PROXY: "127.0.0.1" }, async () => {
      const bypass = new Connection({ host: "127.0.0.1", port: target.port, secure: false });
      await bypass.request("/bypass");
      assert.equal(proxy.seen.length, 1, "NO_PROXY bypassed the proxy");
      bypass.setHttpProxy(other.url);
      await bypass.request("/live-switch");
      assert.equal(other.seen.length, 2);
      assert.equal(other.seen[1]!.url, `http://127.0.0.1:${target.port}/live-switch`);
      await bypass.close();
    });
  } finally {
    await proxy.close();
    await other.close();
    await target.close();
  }
});

test("X9: proxy unreachable (ECONNREFUSED) → ProxyError, distinguishable from a target ConnectionError", { timeout: 5000 }, async () => {
  const port = await closedPort();
  for (const secure of [true, false]) {
    const conn = new Connection({ host: "localhost", port: 9, secure, proxyUrl: `http://u:pw-secret@127.0.0.1:${port}`, timeout: 2000 });
    const err = await rejection(() => conn.request("/"));
    const e = assertTyped(err, ProxyError, "ECONNREFUSED");
    assert.ok(!(err instanceof ConnectionError));
    assert.equal(e.requestSent, false);
    assertNoSecret(err, ["pw-secret"]);
    await conn.close();
  }
});

test("X10: Proxy-Authorization in the request headers (any casing) → TypeError; nothing reaches the wire", { timeout: 5000 }, async () => {
  const canary = await startServer((_req, res) => void res.end("no"));
  const conn = new Connection({ host: "127.0.0.1", port: canary.port, secure: false });
  try {
    for (const name of ["Proxy-Authorization", "proxy-authorization", "PROXY-AUTHORIZATION", "pRoXy-AuThOrIzAtIoN"]) {
      const err = await rejection(() => conn.request("/", { headers: { [name]: "Basic Zm9vOmJhcg==" } }));
      assert.ok(err instanceof TypeError);
    }
    assert.equal(canary.requests.length, 0);
  } finally {
    await conn.close();
    await canary.close();
  }
});

test("X11: HTTPS proxy → TLS to the proxy verified against the CA option; a proxy certificate for another name fails", { timeout: 5000 }, async () => {
  const target = await startServer((_req, res) => void res.end("via https proxy"));
  const good = await startProxy({ tlsCert: "server" });
  const wrong = await startProxy({ tlsCert: "wrong-host" });
  try {
    const ok = new Connection({ host: "127.0.0.1", port: target.port, secure: false, caCert: pem("ca.pem"), proxyUrl: good.url, timeout: 2000 });
    assert.equal((await ok.request("/")).body, "via https proxy");
    await ok.close();
    const untrusted = new Connection({ host: "127.0.0.1", port: target.port, secure: false, proxyUrl: good.url, timeout: 2000 });
    assertTyped(await rejection(() => untrusted.request("/")), TlsError, /UNABLE_TO_VERIFY|SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
    await untrusted.close();
    const misnamed = new Connection({ host: "127.0.0.1", port: target.port, secure: false, caCert: pem("ca.pem"), proxyUrl: wrong.url, timeout: 2000 });
    assertTyped(await rejection(() => misnamed.request("/")), TlsError, /ALTNAME/);
    await misnamed.close();
    assert.equal(target.requests.length, 1);
  } finally {
    await good.close();
    await wrong.close();
    await target.close();
  }
});

test("X5 (plain http): the proxy answers a plain-http request with 407 → ProxyError{statusCode: 407}, buffered, raw and streamed; password never shown", { timeout: 10_000 }, async () => {
  const fake = await startServer((_req, res) => {
    res.writeHead(407, { "Proxy-Authenticate": 'Basic realm="x"', "Content-Length": "0" });
    res.end();
  });
  const conn = new Connection({ host: "127.0.0.1", port: 9, secure: false, proxyUrl: `http://alice:hunter2-pw@127.0.0.1:${fake.port}`, timeout: 2000 });
  try {
    for (const options of [{}, { raw: true }, { stream: true }] as const) {
      const err = await rejection(() => conn.request("/", options));
      const e = assertTyped(err, ProxyError);
      assert.equal(e.statusCode, 407, JSON.stringify(options));
      assert.equal(e.code, "ERR_PROXY_AUTH");
      assertNoSecret(err, ["hunter2-pw", Buffer.from("alice:hunter2-pw").toString("base64")]);
    }
  } finally {
    await conn.close();
    await fake.close();
  }
});

test("issue 11: proxy userinfo without a password (http://user@host:3128) or empty (http://@host:3128) → ConfigError, as libcloud; empty parts around ':' accepted", { timeout: 5000 }, async () => {
  for (const bad of ["http://user@proxy.local:3128", "http://@proxy.local:3128", "https://alice-hunter2@proxy.local:3128", "http://us%3Aer@proxy.local:3128"]) {
    const err = (() => { try { parseProxyUrl(bad); } catch (e) { return e; } return undefined; })();
    assertTyped(err, ConfigError);
    assert.match((err as Error).message, /<username>:<password>/);
    assertNoSecret(err, ["alice-hunter2", "us%3Aer", "us:er"]);
  }
  // Everywhere a proxy URL is read: the option, setHttpProxy and the environment.
  assert.throws(() => new Connection({ host: "127.0.0.1", port: 80, secure: false, proxyUrl: "http://user@127.0.0.1:3128" }), ConfigError);
  const conn = new Connection({ host: "127.0.0.1", port: 80, secure: false, proxyUrl: null });
  assert.throws(() => conn.setHttpProxy("http://@127.0.0.1:3128"), ConfigError);
  await withEnv({ http_proxy: "http://user@127.0.0.1:3128" }, async () => {
    assert.throws(() => proxyFromEnvironment(false, "example.com", 80), (e: unknown) => e instanceof ConfigError && /http_proxy environment variable/.test((e as Error).message));
  });
  await conn.close();
  // libcloud splits at ":" and allows either side empty: `user:` and `:token` are credentials.
  const p1 = parseProxyUrl("http://user:@proxy.local:3128");
  assert.deepEqual([p1.username, p1.password], ["user", undefined]);
  const p2 = parseProxyUrl("http://:token@proxy.local:3128");
  assert.deepEqual([p2.username, p2.password], [undefined, "token"]);
  // No userinfo at all is no credentials.
  assert.deepEqual([parseProxyUrl("http://proxy.local:3128").username, parseProxyUrl("http://proxy.local:3128").password], [undefined, undefined]);
});
