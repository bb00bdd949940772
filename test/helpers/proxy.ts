// A real forward proxy for tests (the `proxy` package, as undici's own tests use), recording what
// it saw: CONNECT tunnels and absolute-form requests, with their Proxy-Authorization.
import http from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { createProxy, type ProxyServer } from "proxy";
import { pem } from "./tls-server.js";

/** One request as the proxy saw it. */
export interface ProxySeen {
  method: string;
  /** `host:port` for CONNECT, the absolute URL otherwise. */
  url: string;
  proxyAuthorization: string | undefined;
  host: string | undefined;
}

export interface TestProxy {
  proxy: ProxyServer;
  port: number;
  /** `http://127.0.0.1:PORT` (or https://localhost:PORT for a TLS proxy). */
  url: string;
  seen: ProxySeen[];
  close(): Promise<void>;
}

export interface TestProxyOptions {
  /** Require `Proxy-Authorization: Basic base64(user:password)`. */
  auth?: { user: string; password: string };
  /** Serve the proxy over TLS with this certificate fixture (e.g. "server", "wrong-host"). */
  tlsCert?: string;
}

/** Starts a forward proxy on 127.0.0.1:0. */
export async function startProxy(options: TestProxyOptions = {}): Promise<TestProxy> {
  const base = options.tlsCert === undefined
    ? http.createServer()
    : https.createServer({ key: pem(`${options.tlsCert}.key`), cert: pem(`${options.tlsCert}.pem`) });
  const sockets = new Set<Socket>();
  base.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  base.on("tlsClientError", () => {});
  const proxy = createProxy(base);
  const seen: ProxySeen[] = [];
  const expected = options.auth === undefined ? undefined : `Basic ${Buffer.from(`${options.auth.user}:${options.auth.password}`).toString("base64")}`;
  proxy.authenticate = (req) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", proxyAuthorization: req.headers["proxy-authorization"], host: req.headers.host });
    return expected === undefined || req.headers["proxy-authorization"] === expected;
  };
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const port = (proxy.address() as AddressInfo).port;
  return {
    proxy,
    port,
    url: options.tlsCert === undefined ? `http://127.0.0.1:${port}` : `https://localhost:${port}`,
    seen,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}
