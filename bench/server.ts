// Benchmark loopback server: plain node:http with keep-alive on 127.0.0.1, in its own process.
//
//   GET /json          ~1 KB JSON (application/json)
//   GET /xml           the 1,000-entry blob listing of bench/fixtures.ts (application/xml, no charset)
//   GET /blob/<bytes>  <bytes> of data, written with backpressure (application/octet-stream)
//
// The same routes are served over HTTPS on a second port, with the repository's test server
// certificate (test/fixtures/tls/server.pem, issued by its test CA ca.pem for localhost and 127.0.0.1).
//
// Prints `{"port":N,"tlsPort":M}` on its first stdout line once listening; exits when stdin closes.
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { makeBlobListingXml } from "./fixtures.js";
import { XML_ENTRIES, makeJsonBody, tlsFixture } from "./shared.js";

const json = Buffer.from(makeJsonBody());
const xml = Buffer.from(makeBlobListingXml(XML_ENTRIES));
const BLOCK = Buffer.alloc(1024 * 1024, "libcloud-ts bench ");

function sendBlob(res: http.ServerResponse, total: number): void {
  res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": String(total) });
  let left = total;
  const pump = (): void => {
    while (left > 0) {
      const n = Math.min(left, BLOCK.length);
      left -= n;
      const ok = res.write(n === BLOCK.length ? BLOCK : BLOCK.subarray(0, n));
      if (!ok) {
        res.once("drain", pump);
        return;
      }
    }
    res.end();
  };
  pump();
}

function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  req.resume();
  const url = req.url ?? "/";
  if (url === "/json") {
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": String(json.length) });
    res.end(json);
  } else if (url === "/xml") {
    res.writeHead(200, { "Content-Type": "application/xml", "Content-Length": String(xml.length) });
    res.end(xml);
  } else if (url.startsWith("/blob/")) {
    sendBlob(res, Number(url.slice(6)));
  } else {
    res.writeHead(404, { "Content-Length": "0" });
    res.end();
  }
}

const server = http.createServer({ keepAlive: true, keepAliveTimeout: 60_000 }, handle);
server.keepAliveTimeout = 60_000;
const tlsServer = https.createServer({ keepAlive: true, keepAliveTimeout: 60_000, key: readFileSync(tlsFixture("server.key")), cert: readFileSync(tlsFixture("server.pem")) }, handle);
tlsServer.keepAliveTimeout = 60_000;
const listening = (s: http.Server): Promise<number> => new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve((s.address() as AddressInfo).port)));
void Promise.all([listening(server), listening(tlsServer)]).then(([port, tlsPort]) => {
  process.stdout.write(`${JSON.stringify({ port, tlsPort })}\n`);
});
process.stdin.resume();
process.stdin.on("end", () => {
  for (const s of [server, tlsServer]) {
    s.closeAllConnections();
    s.close();
  }
});
