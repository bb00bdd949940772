// TLS test servers using the committed test CA (test/fixtures/tls, made by scripts/make-test-certs.sh).
import { readFileSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { fileURLToPath } from "node:url";
import type { Handler, SeenRequest } from "./server.js";

/** The fixtures directory (tests run from dist/test/…, the PEMs stay in test/fixtures/tls). */
export const TLS_DIR = fileURLToPath(new URL("../../../test/fixtures/tls/", import.meta.url));

/** Path of a fixture file, e.g. `fixture("ca.pem")`. */
export function fixture(name: string): string {
  return `${TLS_DIR}${name}`;
}

/** Contents of a fixture file. */
export function pem(name: string): string {
  return readFileSync(fixture(name), "utf8");
}

/** What a TLS test server saw of each request, with the client certificate. */
export interface SeenTlsRequest extends SeenRequest {
  authorized: boolean;
  clientCN: string | undefined;
}

export interface TlsTestServer {
  server: https.Server;
  port: number;
  /** `https://localhost:PORT` */
  origin: string;
  requests: SeenTlsRequest[];
  /** TLS handshakes attempted (secure connections opened). */
  connections: number;
  close(): Promise<void>;
}

export interface TlsServerOptions {
  /** Certificate fixture name without extension (`server`, `expired`, `wrong-host` …). @defaultValue "server" */
  cert?: string;
  /** Certificate chain file when it differs from `<cert>.pem`. */
  chain?: string;
  /** Ask for a client certificate (verified against ca.pem; unauthorized ones still get through). */
  requestCert?: boolean;
}

/** Starts an https server on 127.0.0.1:0 whose handler gets each request with its body read. */
export async function startTlsServer(handler: Handler, options: TlsServerOptions = {}): Promise<TlsTestServer> {
  const name = options.cert ?? "server";
  const requests: SeenTlsRequest[] = [];
  const server = https.createServer({
    key: pem(`${name}.key`),
    cert: pem(options.chain ?? `${name}.pem`),
    ...(options.requestCert ? { requestCert: true, rejectUnauthorized: false, ca: [pem("ca.pem")] } : {}),
  }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const socket = req.socket as TLSSocket;
      const peer = options.requestCert ? socket.getPeerCertificate() : undefined;
      const seen: SeenTlsRequest = {
        method: req.method ?? "", url: req.url ?? "", headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks),
        authorized: socket.authorized, clientCN: peer?.subject?.CN as string | undefined,
      };
      requests.push(seen);
      Promise.resolve(handler(req, res, seen.body, seen)).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(err));
      });
    });
  });
  const state = { connections: 0 };
  server.on("connection", () => state.connections++);
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    origin: `https://localhost:${port}`,
    requests,
    get connections() {
      return state.connections;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
