// Benchmark loopback server: plain node:http with keep-alive on 127.0.0.1, in its own process.
//
//   GET /json          ~1 KB JSON (application/json)
//   GET /xml           the 1,000-entry blob listing of bench/fixtures.ts (application/xml, no charset)
//   GET /blob/<bytes>  <bytes> of data, written with backpressure (application/octet-stream)
//
// Prints `{"port":N}` on its first stdout line once listening; exits when stdin closes.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { makeBlobListingXml } from "./fixtures.js";
import { XML_ENTRIES, makeJsonBody } from "./shared.js";

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

const server = http.createServer({ keepAlive: true, keepAliveTimeout: 60_000 }, (req, res) => {
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
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.stdin.resume();
process.stdin.on("end", () => {
  server.closeAllConnections();
  server.close();
});
