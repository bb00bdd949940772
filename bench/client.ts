// One benchmark client process: `node dist/bench/client.js '<json ClientTask>'`. Runs one peer on
// one case against the loopback server and prints its result as the last stdout line (JSON).
// One process per peer per run, so no peer shares a heap, a pool or a JIT state with another.
import { readFileSync } from "node:fs";
import http from "node:http";
import { performance } from "node:perf_hooks";
import { Connection, HTTPResponse, JsonResponse, XmlResponse, parseXml } from "../src/index.js";
import { makeBlobListingXml } from "./fixtures.js";
import { XML_ENTRIES } from "./shared.js";
import { runAzureClient } from "./azure-client.js";
import { runS3Client } from "./s3-client.js";

/** What the runner asks a client to do. */
export interface ClientTask {
  case: "a" | "b" | "c" | "d" | "e";
  peer: string;
  port: number;
  /** Case a: milliseconds measured per mode, after the warm-up. */
  durationMs?: number;
  warmupMs?: number;
  /** Case b: bytes to download. */
  bytes?: number;
  /** Case b over HTTPS: the server's TLS port and the test CA's path (PEM) that verifies it. */
  tls?: { port: number; ca: string };
  /** Case c: in-process parse runs, and request+parse requests. */
  parseRuns?: number;
  requests?: number;
  /** Case c: request+parse requests for Python libcloud (each takes ~130 ms). */
  pyRequests?: number;
  /** Case d: Azurite blob endpoint and workload sizes. */
  azure?: { host: string; port: number; account: string; key: string; container: string; heads: number; bytes: number };
  /** Case e: s3rver's endpoint, the driver's part size and parts in flight (given to the SDK too), workload sizes. */
  s3?: { host: string; port: number; key: string; secret: string; bucket: string; partSize: number; queueSize: number; serverPid?: number; heads: number; bytes: number };
}

export type ClientResult = Record<string, number | string | boolean>;

const task = JSON.parse(process.argv[2] ?? "{}") as ClientTask;
const origin = `http://127.0.0.1:${task.port}`;

class JsonConnection extends Connection {
  static override responseCls = JsonResponse;
}
class XmlConnection extends Connection {
  static override responseCls = XmlResponse;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// ---- case a: small JSON GET -------------------------------------------------------------------

type GetJson = () => Promise<unknown>;

async function makeGetJson(peer: string): Promise<GetJson> {
  const url = `${origin}/json`;
  switch (peer) {
    case "libcloud-ts": {
      const conn = new JsonConnection({ host: "127.0.0.1", port: task.port, secure: false });
      return async () => ((await conn.request("/json")) as JsonResponse).object;
    }
    case "undici": {
      const { request } = await import("undici");
      return async () => (await request(url)).body.json();
    }
    case "fetch":
      return async () => (await fetch(url)).json();
    case "got": {
      const { default: got } = await import("got");
      const client = got.extend({ agent: { http: new http.Agent({ keepAlive: true }) }, retry: { limit: 0 } });
      return async () => client.get(url).json();
    }
    case "axios": {
      const { default: axios } = await import("axios");
      const client = axios.create({ httpAgent: new http.Agent({ keepAlive: true }) });
      return async () => (await client.get(url)).data;
    }
    default:
      throw new Error(`unknown peer ${peer}`);
  }
}

/** Requests per second, and client CPU µs per request, with `inFlight` workers for `ms` milliseconds. */
async function loop(get: GetJson, inFlight: number, ms: number): Promise<{ rps: number; cpuUs: number }> {
  let count = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const end = start + ms;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const doc = (await get()) as { id?: unknown };
      if (doc.id !== "i-0123456789abcdef0") throw new Error("bad JSON answer");
      count++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { rps: count / seconds, cpuUs: (used.user + used.system) / count };
}

async function caseA(): Promise<ClientResult> {
  const get = await makeGetJson(task.peer);
  const ms = task.durationMs ?? 2000;
  const warm = task.warmupMs ?? 500;
  await loop(get, 1, warm);
  const sequential = await loop(get, 1, ms);
  await loop(get, 16, warm / 2);
  const concurrent = await loop(get, 16, ms);
  return { sequentialRps: sequential.rps, concurrentRps: concurrent.rps, sequentialCpuUs: sequential.cpuUs, concurrentCpuUs: concurrent.cpuUs };
}

// ---- case b: streamed download ------------------------------------------------------------------

async function caseB(): Promise<ClientResult> {
  const total = task.bytes ?? 1024 ** 3;
  // Over HTTPS the server is the same one on its TLS port, verified with the repository's test CA
  // (its certificate names 127.0.0.1); every peer is given only that CA.
  const tls = task.tls;
  const port = tls?.port ?? task.port;
  const base = `${tls === undefined ? "http" : "https"}://127.0.0.1:${port}`;
  let download: (path: string) => Promise<number>;
  if (task.peer === "libcloud-ts") {
    const conn = new Connection({ host: "127.0.0.1", port, secure: tls !== undefined, ...(tls === undefined ? {} : { caCert: tls.ca }) });
    download = async (path) => {
      const response = await conn.request(path, { raw: true });
      let n = 0;
      for await (const chunk of response.iterContent()) n += chunk.length;
      return n;
    };
  } else if (task.peer === "undici") {
    const { request, Agent } = await import("undici");
    const dispatcher = tls === undefined ? undefined : new Agent({ connect: { ca: readFileSync(tls.ca, "utf8") } });
    download = async (path) => {
      const { body } = await request(`${base}${path}`, dispatcher === undefined ? {} : { dispatcher });
      let n = 0;
      for await (const chunk of body) n += (chunk as Buffer).length;
      return n;
    };
  } else if (task.peer === "node-net") {
    // The ceiling: a bare socket (net.Socket, or tls.TLSSocket over HTTPS) counting bytes, no HTTP
    // parsing (the header is small and counted in; the download ends once header + body have arrived).
    const net = await import("node:net");
    const nodeTls = await import("node:tls");
    const socket = await new Promise<import("node:net").Socket>((resolve, reject) => {
      const s: import("node:net").Socket = tls === undefined
        ? net.connect(port, "127.0.0.1", () => resolve(s))
        : nodeTls.connect({ host: "127.0.0.1", port, ca: readFileSync(tls.ca, "utf8") }, () => resolve(s));
      s.once("error", reject);
    });
    download = (path) => new Promise<number>((resolve, reject) => {
      const size = Number(path.slice("/blob/".length));
      let head = "";
      let headerBytes = -1;
      let n = 0;
      const onData = (chunk: Buffer): void => {
        n += chunk.length;
        if (headerBytes < 0) {
          head += chunk.toString("latin1", 0, Math.min(chunk.length, 4096));
          const end = head.indexOf("\r\n\r\n");
          if (end >= 0) headerBytes = end + 4;
        }
        if (headerBytes >= 0 && n >= headerBytes + size) {
          socket.off("data", onData);
          socket.off("error", reject);
          resolve(n - headerBytes);
        }
      };
      socket.on("data", onData).once("error", reject);
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    });
  } else {
    throw new Error(`unknown peer ${task.peer}`);
  }
  await download("/blob/1048576"); // warm-up: connection open (TLS handshake done), code paths compiled
  const idleRss = process.memoryUsage.rss();
  let sampledPeak = idleRss;
  const sampler = setInterval(() => { sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss()); }, 20);
  const start = performance.now();
  const received = await download(`/blob/${total}`);
  const seconds = (performance.now() - start) / 1000;
  clearInterval(sampler);
  if (received !== total) throw new Error(`received ${received} of ${total} bytes`);
  return { mibPerSec: total / 1024 ** 2 / seconds, idleRssKb: Math.round(idleRss / 1024), sampledPeakRssKb: Math.round(sampledPeak / 1024), tls: tls !== undefined };
}

// ---- case c: XML listing ------------------------------------------------------------------------

async function caseC(): Promise<ClientResult> {
  if (task.peer !== "libcloud-ts") throw new Error(`unknown peer ${task.peer}`);
  const bytes = Buffer.from(makeBlobListingXml(XML_ENTRIES));
  const conn = new XmlConnection({ host: "127.0.0.1", port: task.port, secure: false });
  const runs = task.parseRuns ?? 101;
  const parseOnce = (): number => {
    const t0 = performance.now();
    const httpResponse = new HTTPResponse({ status: 200, headers: { "content-type": "application/xml" }, body: bytes });
    const root = new XmlResponse(httpResponse, conn).object;
    const t = performance.now() - t0;
    if (root.findall("{*}Blobs/{*}Blob").length !== XML_ENTRIES) throw new Error("bad listing");
    return t;
  };
  const text = bytes.toString("utf8");
  for (let i = 0; i < 30; i++) parseOnce();
  const parseTimes = Array.from({ length: runs }, parseOnce);
  for (let i = 0; i < 10; i++) parseXml(text);
  const rawParse = Array.from({ length: runs }, () => { const t0 = performance.now(); parseXml(text); return performance.now() - t0; });
  const requestOnce = async (): Promise<number> => {
    const t0 = performance.now();
    const response = (await conn.request("/xml")) as XmlResponse;
    const t = performance.now() - t0;
    if (response.object.findall("{*}Blobs/{*}Blob").length !== XML_ENTRIES) throw new Error("bad listing");
    return t;
  };
  for (let i = 0; i < 10; i++) await requestOnce();
  const requestTimes: number[] = [];
  for (let i = 0; i < (task.requests ?? 50); i++) requestTimes.push(await requestOnce());
  return { parseMs: median(parseTimes), parseXmlMs: median(rawParse), requestParseMs: median(requestTimes), bodyBytes: bytes.length };
}

async function main(): Promise<void> {
  let result: ClientResult;
  if (task.case === "a") result = await caseA();
  else if (task.case === "b") result = await caseB();
  else if (task.case === "c") result = await caseC();
  else if (task.case === "d") result = await runAzureClient(task);
  else result = await runS3Client(task);
  result["maxRssKb"] = process.resourceUsage().maxRSS;
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
  // Keep-alive pools would hold the process open; the result is out, so leave now.
  process.exit(0);
}

await main();
