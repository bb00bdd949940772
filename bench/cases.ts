// What each case measures: its peers, the task each client gets, the metrics, the same-round
// comparisons and the issues' targets (issue 6; case e and case b over HTTPS: issue 13).
import type { ClientResult, ClientTask } from "./client.js";

/** One peer: a client process per round. */
export interface Peer {
  name: string;
  runtime: "node" | "python";
  /** Shown under the table: what exactly this peer runs. */
  note: string;
  /** Another Node binary for this peer's client (path from the repository root); default: the bench's own. */
  nodeBinary?: string;
  /** The client implementation to run, when it differs from `name` (the same client on another Node, or over HTTPS). */
  clientPeer?: string;
  /** Case b: this peer downloads over HTTPS from the server's TLS port, verified with the test CA. */
  tls?: boolean;
}

/** One client run. */
export interface Measured {
  result: ClientResult;
  /** Peak RSS in KiB: the OS's figure when /usr/bin/time is there, else the client's own. */
  peakRssKb: number;
}

export interface Metric {
  key: string;
  title: string;
  unit: string;
  better: "higher" | "lower";
  get(m: Measured): number | undefined;
}

/** A ratio of two peers' metrics in the same round; the median of the rounds' ratios is reported. */
export interface Comparison {
  label: string;
  num: [peer: string, metric: string];
  den: [peer: string, metric: string];
  target?: { op: ">=" | "<="; value: number };
}

/** An absolute bound on one peer's metric (median over rounds). */
export interface Check {
  label: string;
  peer: string;
  metric: string;
  op: ">=" | "<=";
  value: number;
}

export interface CaseSpec {
  id: string;
  title: string;
  description: string;
  peers: Peer[];
  rounds: number;
  quickRounds: number;
  timeoutMs: number;
  task(quick: boolean, peer: Peer): Partial<ClientTask>;
  /** Cases d and e: the storage workload (HEADs, round-trip bytes). */
  storageSizes?: (quick: boolean) => { heads: number; bytes: number };
  metrics: Metric[];
  comparisons: Comparison[];
  checks: Check[];
  summary(m: Measured): string;
}

const num = (key: string) => (m: Measured): number | undefined => {
  const v = m.result[key];
  return typeof v === "number" ? v : undefined;
};
const peakMiB = (m: Measured): number => m.peakRssKb / 1024;
const growthMiB = (m: Measured): number | undefined => {
  const idle = m.result["idleRssKb"];
  return typeof idle === "number" ? (m.peakRssKb - idle) / 1024 : undefined;
};
const f0 = (v: unknown): string => (typeof v === "number" ? v.toFixed(0) : String(v));
const f2 = (v: unknown): string => (typeof v === "number" ? v.toFixed(2) : String(v));

const TS: Peer = { name: "libcloud-ts", runtime: "node", note: "" };
const PY: Peer = { name: "python-libcloud", runtime: "python", note: "" };
const MiB = 1024 * 1024;

export const CASES: CaseSpec[] = [
  {
    id: "a",
    title: "Small JSON GET (~1 KB)",
    description: "`GET /json` (1,024 bytes, `application/json`), body parsed to an object. Each client warms up, then counts requests for a fixed time, first one at a time, then with 16 in flight. Client CPU per request (user + system, from the client process itself) is shown too: it is what the library adds, and it is less disturbed than req/s by other load on the machine.",
    peers: [
      { ...TS, note: "`Connection` subclass with `responseCls = JsonResponse`, `request('/json')`, `.object`" },
      { name: "undici", runtime: "node", note: "`undici.request(url)` + `body.json()` (global dispatcher)" },
      { name: "fetch", runtime: "node", note: "built-in `fetch(url)` + `.json()`" },
      { name: "got", runtime: "node", note: "`got.get(url).json()`, keep-alive `http.Agent`, retries off" },
      { name: "axios", runtime: "node", note: "`axios.get(url)`, keep-alive `http.Agent`" },
      { ...PY, note: "`Connection` subclass with `responseCls = JsonResponse`; 16 in flight = 16 threads, one connection each" },
      { name: "libcloud-ts-node24", runtime: "node", nodeBinary: "node_modules/node24/bin/node", clientPeer: "libcloud-ts", note: "the libcloud-ts client above, run by Node 24 (the `node24` devDependency) instead of the bench's Node" },
    ],
    rounds: 11,
    quickRounds: 2,
    timeoutMs: 60_000,
    task: (quick) => (quick ? { durationMs: 400, warmupMs: 200 } : { durationMs: 1000, warmupMs: 500 }),
    metrics: [
      { key: "seq", title: "Sequential", unit: "req/s", better: "higher", get: num("sequentialRps") },
      { key: "c16", title: "16 in flight", unit: "req/s", better: "higher", get: num("concurrentRps") },
      { key: "seqCpu", title: "Client CPU, sequential", unit: "µs/req", better: "lower", get: num("sequentialCpuUs") },
      { key: "c16Cpu", title: "Client CPU, 16 in flight", unit: "µs/req", better: "lower", get: num("concurrentCpuUs") },
      { key: "rss", title: "Peak RSS", unit: "MiB", better: "lower", get: peakMiB },
    ],
    comparisons: [
      { label: "libcloud-ts / undici, sequential", num: ["libcloud-ts", "seq"], den: ["undici", "seq"], target: { op: ">=", value: 0.85 } },
      { label: "libcloud-ts / undici, 16 in flight", num: ["libcloud-ts", "c16"], den: ["undici", "c16"], target: { op: ">=", value: 0.85 } },
      { label: "libcloud-ts / python-libcloud, sequential", num: ["libcloud-ts", "seq"], den: ["python-libcloud", "seq"], target: { op: ">=", value: 5 } },
      { label: "libcloud-ts / python-libcloud, 16 in flight", num: ["libcloud-ts", "c16"], den: ["python-libcloud", "c16"], target: { op: ">=", value: 5 } },
      { label: "undici / python-libcloud, sequential (for scale: raw undici's own lead)", num: ["undici", "seq"], den: ["python-libcloud", "seq"] },
      { label: "undici / python-libcloud, 16 in flight (for scale)", num: ["undici", "c16"], den: ["python-libcloud", "c16"] },
      { label: "undici / libcloud-ts, client CPU per request, sequential", num: ["undici", "seqCpu"], den: ["libcloud-ts", "seqCpu"] },
      { label: "undici / libcloud-ts, client CPU per request, 16 in flight", num: ["undici", "c16Cpu"], den: ["libcloud-ts", "c16Cpu"] },
      { label: "libcloud-ts / fetch, sequential", num: ["libcloud-ts", "seq"], den: ["fetch", "seq"] },
      { label: "libcloud-ts / got, sequential", num: ["libcloud-ts", "seq"], den: ["got", "seq"] },
      { label: "libcloud-ts / axios, sequential", num: ["libcloud-ts", "seq"], den: ["axios", "seq"] },
      { label: "libcloud-ts / fetch, 16 in flight", num: ["libcloud-ts", "c16"], den: ["fetch", "c16"] },
      { label: "libcloud-ts / got, 16 in flight", num: ["libcloud-ts", "c16"], den: ["got", "c16"] },
      { label: "libcloud-ts / axios, 16 in flight", num: ["libcloud-ts", "c16"], den: ["axios", "c16"] },
      { label: "libcloud-ts on Node 24 / on the bench's Node, sequential", num: ["libcloud-ts-node24", "seq"], den: ["libcloud-ts", "seq"] },
      { label: "libcloud-ts on Node 24 / on the bench's Node, 16 in flight", num: ["libcloud-ts-node24", "c16"], den: ["libcloud-ts", "c16"] },
      { label: "libcloud-ts on the bench's Node / on Node 24, client CPU per request, sequential", num: ["libcloud-ts", "seqCpu"], den: ["libcloud-ts-node24", "seqCpu"] },
      { label: "libcloud-ts on the bench's Node / on Node 24, client CPU per request, 16 in flight", num: ["libcloud-ts", "c16Cpu"], den: ["libcloud-ts-node24", "c16Cpu"] },
      { label: "libcloud-ts on Node 24 / undici on the bench's Node, 16 in flight", num: ["libcloud-ts-node24", "c16"], den: ["undici", "c16"] },
    ],
    checks: [],
    summary: (m) => `${f0(m.result["sequentialRps"])} req/s sequential, ${f0(m.result["concurrentRps"])} req/s at 16`,
  },
  {
    id: "b",
    title: "Streamed download (1 GiB), over HTTP and over HTTPS",
    description: "`GET /blob/<n>` of 1 GiB (64 MiB with `--quick`), read as a stream and counted, after a 1 MiB warm-up download on the same connection (over HTTPS: the TLS handshake is done in the warm-up). Every peer runs twice per round, over plain HTTP and over HTTPS (TLS 1.3 as Node's server negotiates it, the repository's test server certificate, verified against the test CA `test/fixtures/tls/ca.pem` given to each client: `caCert` for libcloud-ts, `connect.ca` for undici and the bare socket, `libcloud.security.CA_CERTS_PATH` for Python), each run its own process. RSS growth is the OS's peak RSS minus the client's RSS just before the download (its idle RSS).",
    peers: [
      { ...TS, note: "`request(path, { raw: true })`, `for await (chunk of response.iterContent())`" },
      { name: "undici", runtime: "node", note: "`undici.request(url)`, `for await (chunk of body)`" },
      { ...PY, note: "`request(path, raw=True, stream=True)` (as libcloud's storage drivers do), `iter_content(1 MiB)`" },
      { name: "node-net", runtime: "node", note: "reference ceiling: a bare `net.Socket` on the same server counting bytes, no HTTP parsing — what Node 20 itself reads on this machine" },
      { ...TS, name: "libcloud-ts https", clientPeer: "libcloud-ts", tls: true, note: "the libcloud-ts client over HTTPS (`secure: true`, `caCert` = the test CA's path)" },
      { name: "undici https", clientPeer: "undici", tls: true, runtime: "node", note: "the undici client over HTTPS (an `Agent` with `connect: { ca }`)" },
      { ...PY, name: "python-libcloud https", clientPeer: "python-libcloud", tls: true, note: "the Python libcloud client over HTTPS (`secure=True`, `libcloud.security.CA_CERTS_PATH` = the test CA's path, which requests verifies with)" },
      { name: "node-tls", clientPeer: "node-net", tls: true, runtime: "node", note: "reference ceiling over HTTPS: a bare `tls.connect()` socket counting bytes — what Node 20's TLS reads on this machine" },
    ],
    rounds: 5,
    quickRounds: 2,
    timeoutMs: 120_000,
    task: (quick) => ({ bytes: quick ? 64 * MiB : 1024 * MiB }),
    metrics: [
      { key: "tput", title: "Throughput", unit: "MiB/s", better: "higher", get: num("mibPerSec") },
      { key: "rss", title: "Peak RSS", unit: "MiB", better: "lower", get: peakMiB },
      { key: "growth", title: "RSS growth over idle", unit: "MiB", better: "lower", get: growthMiB },
    ],
    comparisons: [
      { label: "libcloud-ts / python-libcloud, throughput", num: ["libcloud-ts", "tput"], den: ["python-libcloud", "tput"], target: { op: ">=", value: 1.0 } },
      { label: "libcloud-ts / undici, throughput", num: ["libcloud-ts", "tput"], den: ["undici", "tput"] },
      { label: "node-net / python-libcloud, throughput (Node's own ceiling)", num: ["node-net", "tput"], den: ["python-libcloud", "tput"] },
      { label: "libcloud-ts / node-net, throughput", num: ["libcloud-ts", "tput"], den: ["node-net", "tput"] },
      { label: "libcloud-ts / undici, peak RSS", num: ["libcloud-ts", "rss"], den: ["undici", "rss"] },
      { label: "libcloud-ts / python-libcloud, peak RSS", num: ["libcloud-ts", "rss"], den: ["python-libcloud", "rss"] },
      { label: "HTTPS: libcloud-ts / python-libcloud, throughput", num: ["libcloud-ts https", "tput"], den: ["python-libcloud https", "tput"], target: { op: ">=", value: 1.0 } },
      { label: "HTTPS: libcloud-ts / undici, throughput", num: ["libcloud-ts https", "tput"], den: ["undici https", "tput"] },
      { label: "HTTPS: node-tls / python-libcloud, throughput (Node's own TLS ceiling)", num: ["node-tls", "tput"], den: ["python-libcloud https", "tput"] },
      { label: "HTTPS: libcloud-ts / node-tls, throughput", num: ["libcloud-ts https", "tput"], den: ["node-tls", "tput"] },
      { label: "HTTPS: libcloud-ts / undici, peak RSS", num: ["libcloud-ts https", "rss"], den: ["undici https", "rss"] },
      { label: "HTTPS: libcloud-ts / python-libcloud, peak RSS", num: ["libcloud-ts https", "rss"], den: ["python-libcloud https", "rss"] },
      { label: "libcloud-ts, HTTPS / HTTP throughput (what TLS costs)", num: ["libcloud-ts https", "tput"], den: ["libcloud-ts", "tput"] },
      { label: "python-libcloud, HTTPS / HTTP throughput (what TLS costs)", num: ["python-libcloud https", "tput"], den: ["python-libcloud", "tput"] },
    ],
    checks: [
      { label: "libcloud-ts RSS growth while streaming (MiB)", peer: "libcloud-ts", metric: "growth", op: "<=", value: 16 },
      { label: "HTTPS: libcloud-ts RSS growth while streaming (MiB)", peer: "libcloud-ts https", metric: "growth", op: "<=", value: 16 },
    ],
    summary: (m) => `${f0(m.result["mibPerSec"])} MiB/s, peak ${f0(m.peakRssKb / 1024)} MiB (idle ${f0(Number(m.result["idleRssKb"]) / 1024)} MiB)`,
  },
  {
    id: "c",
    title: "XML listing (1,000 entries)",
    description: "The 1,000-entry Azure-style blob listing of `bench/fixtures.ts`, served as `application/xml` with no charset. *Parse* is in-process on the same bytes: for libcloud-ts an `XmlResponse` built from a buffered `HTTPResponse` (UTF-8 decode + parse), for Python `ET.XML(body)` on the `str` libcloud keeps. *Request + parse* is one `GET /xml` through each library's `Connection` with its `XmlResponse`, median of sequential requests.",
    peers: [
      { ...TS, note: "`XmlResponse` (`parseXml` of src/utils/xml.ts)" },
      { ...PY, note: "`xml.etree.ElementTree.XML` (parse), `XmlResponse` through `Connection` (request + parse)" },
    ],
    rounds: 5,
    quickRounds: 2,
    timeoutMs: 120_000,
    task: (quick) => (quick ? { parseRuns: 31, requests: 10, pyRequests: 3 } : { parseRuns: 101, requests: 50, pyRequests: 10 }),
    metrics: [
      { key: "parse", title: "Parse", unit: "ms", better: "lower", get: (m) => num("parseMs")(m) ?? num("etParseMs")(m) },
      { key: "req", title: "Request + parse", unit: "ms", better: "lower", get: num("requestParseMs") },
      { key: "rss", title: "Peak RSS", unit: "MiB", better: "lower", get: peakMiB },
    ],
    comparisons: [
      { label: "libcloud-ts / ElementTree, parse time", num: ["libcloud-ts", "parse"], den: ["python-libcloud", "parse"], target: { op: "<=", value: 1.0 } },
      { label: "python-libcloud / libcloud-ts, request + parse time (speed-up)", num: ["python-libcloud", "req"], den: ["libcloud-ts", "req"], target: { op: ">=", value: 10 } },
    ],
    checks: [],
    summary: (m) => `parse ${f2(m.result["parseMs"] ?? m.result["etParseMs"])} ms, request+parse ${f2(m.result["requestParseMs"])} ms`,
  },
  {
    id: "d",
    title: "Azure Blob storage against Azurite",
    description: "Azurite (the npm package, in-memory, on 127.0.0.1). *HEADs*: 500 sequential metadata requests for one blob (`getObject` vs `getProperties` vs `get_object`), after 10 warm-up ones. *Round trip*: upload 64 MiB (8 MiB with `--quick`) from a stream, download it as a stream and check its SHA-256.",
    peers: [
      { ...TS, note: "`AzureBlobsStorageDriver` of src/storage" },
      { name: "azure-sdk", runtime: "node", note: "`@azure/storage-blob` `BlockBlobClient`: `getProperties()`, `uploadStream()`, `download()`" },
      { ...PY, note: "`AzureBlobsStorageDriver`: `get_object`, `upload_object_via_stream`, `download_object_as_stream`" },
    ],
    rounds: 3,
    quickRounds: 1,
    timeoutMs: 180_000,
    task: () => ({}),
    storageSizes: (quick) => (quick ? { heads: 50, bytes: 8 * MiB } : { heads: 500, bytes: 64 * MiB }),
    metrics: [
      { key: "heads", title: "Sequential HEADs (500; 50 with --quick), total", unit: "ms", better: "lower", get: num("headsMs") },
      { key: "trip", title: "Upload + download round trip", unit: "ms", better: "lower", get: num("roundTripMs") },
      { key: "rss", title: "Peak RSS", unit: "MiB", better: "lower", get: peakMiB },
    ],
    comparisons: [
      { label: "azure-sdk / libcloud-ts, HEADs time (speed-up)", num: ["azure-sdk", "heads"], den: ["libcloud-ts", "heads"], target: { op: ">=", value: 1.0 } },
      { label: "azure-sdk / libcloud-ts, round-trip time (speed-up)", num: ["azure-sdk", "trip"], den: ["libcloud-ts", "trip"], target: { op: ">=", value: 1.0 } },
      { label: "libcloud-ts / azure-sdk, peak RSS", num: ["libcloud-ts", "rss"], den: ["azure-sdk", "rss"], target: { op: "<=", value: 0.5 } },
      { label: "python-libcloud / libcloud-ts, HEADs time (speed-up)", num: ["python-libcloud", "heads"], den: ["libcloud-ts", "heads"], target: { op: ">=", value: 1.0 } },
      { label: "python-libcloud / libcloud-ts, round-trip time (speed-up)", num: ["python-libcloud", "trip"], den: ["libcloud-ts", "trip"], target: { op: ">=", value: 1.0 } },
    ],
    checks: [],
    summary: (m) => `HEADs ${f0(m.result["headsMs"])} ms, round trip ${f0(m.result["roundTripMs"])} ms, peak ${f0(m.peakRssKb / 1024)} MiB`,
  },
  {
    id: "e",
    title: "S3 against s3rver",
    description: "s3rver 3.7.1 (the npm package, files in a temporary folder, on 127.0.0.1; started by the bench with the tests' helper, the clients talking to it directly). *HEADs*: 500 sequential metadata requests for one small object (`getObject` vs `HeadObjectCommand`), after 10 warm-up ones. *Round trip*: upload 64 MiB (16 MiB with `--quick`) from a stream as a multipart upload, download it as a stream and check its SHA-256; both peers use the driver's part size and parts in flight (its `uploadPartSize` and `uploadConcurrency`, read by the runner: 5 MiB and 4 when this was written; docs/bench/results.json records them per run). Upload and download are also shown apart, with the client's CPU time over the round trip and s3rver's (from /proc). Python libcloud 3.4.1 is not a peer here: its S3 driver cannot read s3rver's multipart answers (issue 13).",
    peers: [
      { ...TS, note: "`S3StorageDriver` of src/storage: `getObject`, `uploadObjectViaStream`, `downloadObjectAsStream`" },
      { name: "aws-sdk", runtime: "node", note: "`@aws-sdk/client-s3` `HeadObjectCommand`, `@aws-sdk/lib-storage` `Upload` (the driver's `partSize` and `queueSize`), `GetObjectCommand`; checksums `WHEN_REQUIRED` (s3rver would store the default CRC32's aws-chunked framing as object bytes)" },
    ],
    rounds: 5,
    quickRounds: 2,
    timeoutMs: 240_000,
    task: () => ({}),
    storageSizes: (quick) => (quick ? { heads: 50, bytes: 16 * MiB } : { heads: 500, bytes: 64 * MiB }),
    metrics: [
      { key: "heads", title: "Sequential HEADs (500; 50 with --quick), total", unit: "ms", better: "lower", get: num("headsMs") },
      { key: "trip", title: "Upload + download round trip", unit: "ms", better: "lower", get: num("roundTripMs") },
      { key: "up", title: "of which upload", unit: "ms", better: "lower", get: num("uploadMs") },
      { key: "down", title: "of which download + SHA-256", unit: "ms", better: "lower", get: num("downloadMs") },
      { key: "cpu", title: "Client CPU, round trip", unit: "ms", better: "lower", get: num("clientCpuMs") },
      { key: "srvCpu", title: "s3rver CPU, round trip", unit: "ms", better: "lower", get: num("serverCpuMs") },
      { key: "rss", title: "Peak RSS", unit: "MiB", better: "lower", get: peakMiB },
      { key: "growth", title: "RSS growth over idle", unit: "MiB", better: "lower", get: growthMiB },
    ],
    comparisons: [
      { label: "aws-sdk / libcloud-ts, HEADs time (speed-up)", num: ["aws-sdk", "heads"], den: ["libcloud-ts", "heads"], target: { op: ">=", value: 1.0 } },
      { label: "aws-sdk / libcloud-ts, round-trip time (speed-up)", num: ["aws-sdk", "trip"], den: ["libcloud-ts", "trip"], target: { op: ">=", value: 1.0 } },
      { label: "libcloud-ts / aws-sdk, peak RSS", num: ["libcloud-ts", "rss"], den: ["aws-sdk", "rss"], target: { op: "<=", value: 0.5 } },
      { label: "aws-sdk / libcloud-ts, upload time (speed-up)", num: ["aws-sdk", "up"], den: ["libcloud-ts", "up"] },
      { label: "aws-sdk / libcloud-ts, download time (speed-up)", num: ["aws-sdk", "down"], den: ["libcloud-ts", "down"] },
      { label: "libcloud-ts / aws-sdk, client CPU over the round trip", num: ["libcloud-ts", "cpu"], den: ["aws-sdk", "cpu"] },
      { label: "libcloud-ts / aws-sdk, RSS growth over idle", num: ["libcloud-ts", "growth"], den: ["aws-sdk", "growth"] },
    ],
    checks: [],
    summary: (m) => `HEADs ${f0(m.result["headsMs"])} ms, round trip ${f0(m.result["roundTripMs"])} ms (up ${f0(m.result["uploadMs"])}, down ${f0(m.result["downloadMs"])}; client CPU ${f0(m.result["clientCpuMs"])}, s3rver CPU ${f0(m.result["serverCpuMs"])}), peak ${f0(m.peakRssKb / 1024)} MiB`,
  },
];
