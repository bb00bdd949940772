// Profile of case e (bench/notes.md, "What limits case e"): what the S3 round trip's time goes to.
//
//   npm run build && node dist/bench/profile-e.js [--rounds=3] [--mib=64] [--keep=DIR] [--no-md5] [--no-als]
//                                                 [--targets=s3rver,sink] [--peers=libcloud-ts,aws-sdk,...] [--no-prof]
//
// 1. Hashing on this machine: MD5 and SHA-256 over the payload, 1 MiB updates (what the driver does
//    per part, and the bench's own SHA-256 check of the download).
// 2. The case e client of the bench (dist/bench/client.js, the same code as `npm run bench`), both
//    peers alternated, against s3rver and against a sink: a loopback S3 stand-in in its own process
//    that answers the same calls and stores nothing (bodies are read and dropped, GET streams the
//    payload), so the difference is what s3rver's own work costs. The libcloud-ts client runs with
//    `--cpu-prof`; its profile is cut at the client's upload / download marks and summed by what each
//    sample was doing (its leaf-most recognisable frame: hashing, undici, libcloud-ts, Node's
//    streams and sockets, GC, idle = waiting on the server).
// 3. RSS: each client samples its RSS every 20 ms over the round trip, with the heap / external /
//    ArrayBuffer split at the peak.
// 4. With --no-md5, a third peer: the libcloud-ts client with MD5 made free (bench/no-md5-preload.ts),
//    the driver unchanged otherwise: what its two MD5 passes cost. With --no-als, one more: the
//    client with AsyncLocalStorage scopes made inert (bench/no-als-preload.ts), so Node 20's async
//    hooks stay off: what the request scope costs.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import type { ClientResult, ClientTask } from "./client.js";
import { startS3 } from "./s3-setup.js";
import { payload } from "./shared.js";
import { median } from "./stats.js";

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const MiB = 1024 * 1024;

// ---- the sink: an S3 stand-in that keeps nothing ------------------------------------------------

function runSink(): void {
  const sizes = new Map<string, number>();
  let uploads = 0;
  const server = http.createServer({ keepAlive: true, keepAliveTimeout: 60_000 }, (req, res) => {
    let size = 0;
    req.on("data", (c: Buffer) => { size += c.length; });
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://sink");
      const key = url.pathname;
      const method = req.method ?? "GET";
      const xml = (body: string): void => {
        res.writeHead(200, { "Content-Type": "application/xml", "Content-Length": Buffer.byteLength(body) }).end(body);
      };
      if (method === "POST" && url.searchParams.has("uploads")) {
        sizes.set(key, 0);
        xml(`<InitiateMultipartUploadResult><UploadId>sink-${++uploads}</UploadId></InitiateMultipartUploadResult>`);
      } else if (method === "POST" && url.searchParams.has("uploadId")) {
        xml(`<CompleteMultipartUploadResult><ETag>"sink-${uploads}-x"</ETag></CompleteMultipartUploadResult>`);
      } else if (method === "PUT" && url.searchParams.has("partNumber")) {
        sizes.set(key, (sizes.get(key) ?? 0) + size);
        res.writeHead(200, { ETag: `"part-${url.searchParams.get("partNumber") ?? ""}"`, "Content-Length": "0" }).end();
      } else if (method === "PUT") {
        sizes.set(key, size);
        res.writeHead(200, { ETag: '"sink-put"', "Content-Length": "0" }).end();
      } else if (method === "HEAD" || method === "GET") {
        const total = sizes.get(key);
        const isBucket = key.split("/").filter(Boolean).length === 1;
        if (total === undefined && !isBucket) {
          res.writeHead(404, { "Content-Length": "0" }).end();
          return;
        }
        const length = total ?? 0;
        res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": String(length), ETag: '"sink"', "Last-Modified": new Date(0).toUTCString() });
        if (method === "HEAD" || total === undefined) {
          res.end();
          return;
        }
        const pieces = payload(length);
        const pump = (): void => {
          for (let next = pieces.next(); !next.done; next = pieces.next()) if (!res.write(next.value)) return void res.once("drain", pump);
          res.end();
        };
        pump();
      } else if (method === "DELETE") {
        sizes.delete(key);
        res.writeHead(204).end();
      } else {
        res.writeHead(405, { "Content-Length": "0" }).end();
      }
    });
  });
  server.listen(0, "127.0.0.1", () => process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port, pid: process.pid })}\n`));
  process.stdin.resume();
  process.stdin.on("end", () => {
    server.closeAllConnections();
    server.close();
  });
}

async function startSink(): Promise<{ port: number; pid: number; stop(): void }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "--sink-server"], { stdio: ["pipe", "pipe", "inherit"] });
  const info = await new Promise<{ port: number; pid: number }>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("\n")) resolve(JSON.parse(out.split("\n")[0]!) as { port: number; pid: number });
    });
    child.once("exit", (code) => reject(new Error(`sink exited (${code})`)));
  });
  return { ...info, stop: () => { child.stdin.end(); } };
}

// ---- one client run ---------------------------------------------------------------------------

async function runClient(task: ClientTask, profileDir: string | undefined, extraFlags: string[]): Promise<{ result: ClientResult; profile?: string }> {
  const flags = [...extraFlags, ...(profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`])];
  const before = new Set(profileDir === undefined ? [] : readdirSync(profileDir));
  const child = spawn(process.execPath, [...flags, join(here, "client.js"), JSON.stringify(task)], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (c: Buffer) => { out += c.toString(); });
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  const last = out.trim().split("\n").pop() ?? "";
  if (code !== 0 || !last.startsWith("{")) throw new Error(`${task.peer} client failed (${code})`);
  const profile = profileDir === undefined ? undefined : readdirSync(profileDir).find((f) => !before.has(f) && f.endsWith(".cpuprofile"));
  return { result: JSON.parse(last) as ClientResult, ...(profile === undefined || profileDir === undefined ? {} : { profile: join(profileDir, profile) }) };
}

// ---- the profile, cut and summed --------------------------------------------------------------

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** What a sample was doing, from its stack (leaf first). */
function category(stack: ProfileNode[], ): string {
  const leaf = stack[0]!.callFrame.functionName;
  if (leaf === "(garbage collector)") return "GC";
  if (leaf === "(idle)") return "idle (waiting on the server)";
  if (leaf === "(program)") return "(program: V8/native, unattributed)";
  if (stack[0]!.callFrame.url === "node:internal/async_hooks" || stack[0]!.callFrame.url === "node:async_hooks") return "async hooks (AsyncLocalStorage on)";
  const hashAt = stack.findIndex((n) => n.callFrame.url.startsWith("node:internal/crypto/hash"));
  if (hashAt >= 0) {
    const caller = stack.slice(hashAt).find((n) => !n.callFrame.url.startsWith("node:internal/crypto") && n.callFrame.url !== "");
    return caller?.callFrame.url.includes("/dist/bench/") === true ? "hashing: the bench's SHA-256 check" : "hashing: the driver's MD5 + SHA-256";
  }
  for (const node of stack) {
    const url = node.callFrame.url;
    if (url.includes("/node_modules/undici/")) return "undici";
    if (url.includes("/dist/src/")) return "libcloud-ts (src)";
    if (url.includes("/dist/bench/")) return "bench client (payload, loop)";
    if (url.startsWith("node:")) return "Node (streams, sockets, buffers)";
    if (url !== "") return "other JS";
  }
  return "native (no JS frame)";
}

interface Window {
  label: string;
  from: number;
  to: number;
}

function summarise(path: string, windows: Window[]): string {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stackOf = (id: number): ProfileNode[] => {
    const stack: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(byId.get(at)!);
    return stack;
  };
  const lines: string[] = [];
  for (const w of windows) {
    const cats = new Map<string, number>();
    const fns = new Map<string, number>();
    let t = profile.startTime;
    let total = 0;
    for (let i = 0; i < profile.samples.length; i++) {
      t += profile.timeDeltas[i] ?? 0;
      const dt = profile.timeDeltas[i + 1] ?? 0;
      if (t < w.from || t >= w.to) continue;
      const stack = stackOf(profile.samples[i]!);
      const cat = category(stack);
      cats.set(cat, (cats.get(cat) ?? 0) + dt);
      const f = stack[0]!.callFrame;
      const name = `${f.functionName || "(anonymous)"} ${f.url.replace(/^.*\/(node_modules|dist)\//, "$1/")}${f.url === "" ? "" : `:${f.lineNumber + 1}`}`;
      fns.set(name, (fns.get(name) ?? 0) + dt);
      total += dt;
    }
    lines.push(`  ${w.label}: ${(total / 1000).toFixed(0)} ms sampled (window ${((w.to - w.from) / 1000).toFixed(0)} ms)`);
    for (const [cat, us] of [...cats].sort((a, b) => b[1] - a[1])) lines.push(`    ${(us / 1000).toFixed(0).padStart(6)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${cat}`);
    lines.push("    top self time:");
    for (const [fn, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, 10)) lines.push(`    ${(us / 1000).toFixed(0).padStart(6)} ms  ${fn}`);
  }
  return lines.join("\n");
}

// ---- main -------------------------------------------------------------------------------------

function hashRate(algorithm: string, bytes: number): number {
  const t0 = performance.now();
  const h = createHash(algorithm);
  for (const piece of payload(bytes)) h.update(piece);
  h.digest();
  return bytes / MiB / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  const rounds = Number(opt("rounds", "3"));
  const bytes = Number(opt("mib", "64")) * MiB;
  const keep = opt("keep", "");
  const log = (m: string): void => { process.stderr.write(`[profile-e] ${m}\n`); };
  for (const alg of ["md5", "sha256"]) {
    const rates = Array.from({ length: 5 }, () => hashRate(alg, bytes));
    log(`${alg}: ${median(rates).toFixed(0)} MiB/s (median of 5 × ${bytes / MiB} MiB, 1 MiB updates; range ${Math.min(...rates).toFixed(0)}–${Math.max(...rates).toFixed(0)})`);
  }
  const s3 = await startS3(log);
  if ("skipped" in s3) throw new Error(s3.skipped);
  const sink = await startSink();
  if (keep !== "") mkdirSync(keep, { recursive: true });
  const dir = keep !== "" ? keep : mkdtempSync(join(tmpdir(), "libcloud-ts-profile-e-"));
  const wanted = opt("targets", "s3rver,sink").split(",");
  const targets = [
    { name: "s3rver", endpoint: s3.endpoint },
    { name: "sink", endpoint: { ...s3.endpoint, port: sink.port, serverPid: sink.pid } },
  ].filter((t) => wanted.includes(t.name));
  const results = new Map<string, ClientResult[]>();
  const lastProfile = new Map<string, { path: string; result: ClientResult }>();
  try {
    for (let round = 0; round < rounds; round++) {
      for (const target of targets) {
        const all = ["libcloud-ts", "aws-sdk", ...["no-md5", "no-als"].filter((v) => argv.includes(`--${v}`)).map((v) => `libcloud-ts ${v}`)];
        const only = opt("peers", "");
        const names = only === "" ? all : all.filter((n) => only.split(",").includes(n));
        const peers = names.map((_, i) => names[(i + round) % names.length]!);
        for (const peer of peers) {
          const task: ClientTask = { case: "e", peer: peer.split(" ")[0]!, port: 0, s3: { ...target.endpoint, heads: 50, bytes } };
          const variant = peer.split(" ")[1];
          const preload = variant === undefined ? [] : ["--import", new URL(`./${variant}-preload.js`, import.meta.url).href];
          // --no-prof: no client under the profiler, so the variants' CPU times compare like for like.
          const profiled = peer === "libcloud-ts" && !argv.includes("--no-prof");
          const { result, profile } = await runClient(task, profiled ? dir : undefined, preload);
          const key = `${target.name} ${peer}`;
          results.set(key, [...(results.get(key) ?? []), result]);
          if (profile !== undefined) lastProfile.set(target.name, { path: profile, result });
          log(`round ${round + 1} ${key}: trip ${Number(result["roundTripMs"]).toFixed(0)} ms (up ${Number(result["uploadMs"]).toFixed(0)}, down ${Number(result["downloadMs"]).toFixed(0)}), client CPU ${Number(result["clientCpuMs"]).toFixed(0)} ms (up ${Number(result["uploadCpuMs"]).toFixed(0)})`);
        }
      }
    }
  } finally {
    sink.stop();
    await s3.stop();
  }
  const out: string[] = [`Medians of ${rounds} rounds, ${bytes / MiB} MiB, parts of ${s3.endpoint.partSize / MiB} MiB, ${s3.endpoint.queueSize} in flight${argv.includes("--no-prof") ? "" : " (libcloud-ts under --cpu-prof)"}:`, ""];
  const cols: Array<[string, string]> = [
    ["roundTripMs", "trip ms"], ["uploadMs", "up ms"], ["downloadMs", "down ms"], ["uploadCpuMs", "client CPU up"], ["clientCpuMs", "client CPU trip"],
    ["serverUploadCpuMs", "server CPU up"], ["serverCpuMs", "server CPU trip"], ["idleRssKb", "idle RSS MiB"], ["sampledPeakRssKb", "peak RSS MiB"],
    ["uploadPeakRssKb", "peak RSS up MiB"], ["downloadPeakRssKb", "peak RSS down MiB"], ["maxRssKb", "OS peak RSS MiB"],
    ["peakHeapUsedKb", "heap@peak MiB"], ["peakExternalKb", "external@peak MiB"], ["peakArrayBuffersKb", "ArrayBuffers@peak MiB"],
  ];
  out.push(`| target, peer | ${cols.map((c) => c[1]).join(" | ")} |`, `|---|${cols.map(() => "---:").join("|")}|`);
  for (const [key, rs] of results) {
    out.push(`| ${key} | ${cols.map(([k]) => {
      const v = median(rs.map((r) => Number(r[k])));
      return (k.endsWith("Kb") ? v / 1024 : v).toFixed(0);
    }).join(" | ")} |`);
  }
  for (const [target, { path, result }] of lastProfile) {
    out.push("", `libcloud-ts CPU profile, last round against ${target} (${path}):`);
    const up0 = Number(result["uploadStartUs"]);
    const up1 = Number(result["uploadEndUs"]);
    const down1 = Number(result["downloadEndUs"]);
    out.push(summarise(path, [{ label: "upload", from: up0, to: up1 }, { label: "download + SHA-256 check", from: up1, to: down1 }]));
  }
  process.stdout.write(`${out.join("\n")}\n`);
  if (keep === "") rmSync(dir, { recursive: true, force: true });
}

if (argv.includes("--sink-server")) runSink();
else await main();
