// `npm run bench`: libcloud-ts side by side with its peers, in one run, on this machine.
//
// A loopback server (bench/server.ts, plain node:http with keep-alive on 127.0.0.1, and the same
// over HTTPS with the test certificate) runs in its own process; case d starts Azurite and case e
// s3rver (the tests' helpers), each in its own process too; every peer runs in its own client process (bench/client.ts, bench/python/client.py),
// one process per peer per round, peers alternated (A B C A B C …, the order rotated each round).
// Absolute times drift by ±30 % on a shared 2-core machine, so the page reports medians and
// ratios between peers of the same round. Peak RSS comes from the OS (`/usr/bin/time -v`) when
// present, else from each client's own `process.resourceUsage().maxRSS` / `getrusage`.
//
//   npm run bench                  full run (~5 minutes), rewrites docs/benchmarks.md and docs/bench/
//   npm run bench -- --quick       short smoke run (smaller sizes, 2 rounds), same outputs
//   npm run bench -- --cases=ac    only some cases (e.g. --cases=e: S3 on s3rver; --cases=b: HTTP and HTTPS)
//   npm run bench -- --no-write    print the page instead of writing it
//   BENCH_PYTHON=/path/python3     the Python that has Apache Libcloud (default /usr/bin/python3)
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ClientResult, ClientTask } from "./client.js";
import { startAzure } from "./azure-setup.js";
import { startS3 } from "./s3-setup.js";
import { tlsFixture } from "./shared.js";
import { renderPage, type CaseReport, type RunInfo } from "./report.js";
import { CASES, type CaseSpec, type Peer } from "./cases.js";

const here = dirname(fileURLToPath(import.meta.url)); // dist/bench
const root = join(here, "..", "..");
const args = new Set(process.argv.slice(2));
const quick = args.has("--quick");
const casesArg = process.argv.slice(2).find((a) => a.startsWith("--cases="))?.slice(8) ?? "abcde";
const TIME = "/usr/bin/time";
const hasTime = existsSync(TIME) && spawnSync(TIME, ["-v", "true"]).status === 0;
/** The Python that runs libcloud (Debian's python3-libcloud lives in /usr/bin/python3); BENCH_PYTHON overrides it. */
const PYTHON = process.env["BENCH_PYTHON"] ?? "/usr/bin/python3";
const started = Date.now();

function log(message: string): void {
  process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${message}\n`);
}

/** Python libcloud's version, or why it can't be used. */
function probePython(): { version: string } | { skipped: string } {
  const how = `install it with \`apt-get install -y python3-libcloud\` (3.4.1 on Debian 12) and rerun; the bench runs it with ${PYTHON} (set BENCH_PYTHON to use another)`;
  if (!existsSync(PYTHON)) return { skipped: `${PYTHON} not found; ${how}` };
  const probe = spawnSync(PYTHON, ["-c", "import libcloud, sys; print(libcloud.__version__, sys.version.split()[0])"], { encoding: "utf8" });
  if (probe.status !== 0) return { skipped: `${PYTHON} can't \`import libcloud\`; ${how}` };
  const [version = "?", py = "?"] = probe.stdout.trim().split(" ");
  return { version: `apache-libcloud ${version} (Python ${py})` };
}

/** The loopback server's ports: plain HTTP, and HTTPS with the test certificate. */
interface ServerPorts {
  port: number;
  tlsPort: number;
}

/** Starts the loopback server; it exits when its stdin closes. */
async function startServer(): Promise<ServerPorts & { stop: () => void }> {
  const child = spawn(process.execPath, [join(here, "server.js")], { stdio: ["pipe", "pipe", "inherit"] });
  const ports = await new Promise<ServerPorts>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n") && line !== undefined) resolve(JSON.parse(line) as ServerPorts);
    });
    child.once("exit", (code) => reject(new Error(`bench server exited (${code})`)));
  });
  return { ...ports, stop: () => { child.stdin.end(); } };
}

interface Measured {
  result: ClientResult;
  /** Peak RSS in KiB: the OS's figure when /usr/bin/time is there, else the client's own. */
  peakRssKb: number;
}

/** Runs one client process and returns its result line and peak RSS. */
async function runClient(peer: Peer, task: ClientTask, timeoutMs: number): Promise<Measured> {
  const command = peer.runtime === "python"
    ? [PYTHON, join(root, "bench", "python", "client.py"), JSON.stringify(task)]
    : [peer.nodeBinary === undefined ? process.execPath : join(root, peer.nodeBinary), join(here, "client.js"), JSON.stringify(task)];
  const [file, ...rest] = hasTime ? [TIME, "-v", ...command] : command;
  const child = spawn(file!, rest, { stdio: ["ignore", "pipe", "pipe"], cwd: root });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => { stdout += c.toString(); });
  child.stderr.on("data", (c: Buffer) => { stderr += c.toString(); });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  clearTimeout(timer);
  const lines = stdout.trim().split("\n");
  const last = lines[lines.length - 1] ?? "";
  if (code !== 0 || !last.startsWith("{")) {
    throw new Error(`${peer.name} (case ${task.case}) failed with ${code}: ${stderr.split("\n").filter((l) => !/^\s+(Command being|User time|System time|Percent|Elapsed|Average|Maximum|Major|Minor|Voluntary|Involuntary|Swaps|File system|Socket|Signals|Page size|Exit status)/.test(l)).slice(-12).join("\n")}`);
  }
  const result = JSON.parse(last) as ClientResult;
  const osRss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1];
  return { result, peakRssKb: osRss !== undefined ? Number(osRss) : Number(result["maxRssKb"]) };
}

/** A Node binary's version, or "not installed". */
function nodeVersion(binary: string): string {
  if (!existsSync(binary)) return "not installed";
  return spawnSync(binary, ["--version"], { encoding: "utf8" }).stdout.trim();
}

function versionOf(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "not installed";
  }
}

/** What a storage case's clients are given: the service's endpoint, to which the case's sizes are added. */
interface StorageSetup {
  field: "azure" | "s3";
  endpoint: Record<string, unknown>;
}

async function runCase(spec: CaseSpec, server: ServerPorts, python: boolean, storage: StorageSetup | null): Promise<CaseReport> {
  const peers = spec.peers.filter((p) => (p.runtime !== "python" || python) && (p.nodeBinary === undefined || existsSync(join(root, p.nodeBinary))));
  for (const p of spec.peers) if (p.nodeBinary !== undefined && !existsSync(join(root, p.nodeBinary))) log(`${spec.id}: ${p.name} skipped: ${p.nodeBinary} not installed (npm ci installs it)`);
  const rounds = quick ? spec.quickRounds : spec.rounds;
  const runs: Record<string, (Measured | undefined)[]> = Object.fromEntries(peers.map((p) => [p.name, []]));
  const failures: string[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = peers.map((_, i) => peers[(i + round) % peers.length]!);
    for (const peer of order) {
      const task: ClientTask = { ...spec.task(quick, peer), case: spec.id as ClientTask["case"], peer: peer.clientPeer ?? peer.name, port: server.port };
      if (peer.tls === true) task.tls = { port: server.tlsPort, ca: tlsFixture("ca.pem") };
      if (storage !== null) Object.assign(task, { [storage.field]: { ...storage.endpoint, ...spec.storageSizes!(quick) } });
      try {
        const measured = await runClient(peer, task, spec.timeoutMs);
        runs[peer.name]![round] = measured;
        log(`${spec.id} round ${round + 1}/${rounds} ${peer.name}: ${spec.summary(measured)}`);
      } catch (error) {
        runs[peer.name]![round] = undefined;
        const message = (error as Error).message;
        failures.push(`round ${round + 1}: ${message}`);
        log(`${spec.id} round ${round + 1}/${rounds} ${peer.name} FAILED: ${message}`);
      }
    }
  }
  return { spec, peers, rounds, runs, failures, skipped: null };
}

async function main(): Promise<void> {
  const python = probePython();
  const pythonOk = "version" in python;
  log(`${quick ? "quick" : "full"} run; python libcloud: ${pythonOk ? python.version : python.skipped}; peak RSS from ${hasTime ? "/usr/bin/time -v" : "the clients' own getrusage"}`);
  const server = await startServer();
  const reports: CaseReport[] = [];
  try {
    for (const spec of CASES) {
      if (!casesArg.includes(spec.id)) continue;
      if (spec.id === "d" || spec.id === "e") {
        const service = spec.id === "d" ? await startAzure(log) : await startS3(log);
        if ("skipped" in service) {
          log(`${spec.id} skipped: ${service.skipped}`);
          reports.push({ spec, peers: [], rounds: 0, runs: {}, failures: [], skipped: service.skipped });
          continue;
        }
        try {
          reports.push(await runCase(spec, server, pythonOk, { field: spec.id === "d" ? "azure" : "s3", endpoint: service.endpoint }));
        } finally {
          await service.stop();
        }
        continue;
      }
      reports.push(await runCase(spec, server, pythonOk, null));
    }
  } finally {
    server.stop();
  }
  const info: RunInfo = {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    quick,
    durationS: (Date.now() - started) / 1000,
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memGiB: os.totalmem() / 1024 ** 3,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    rssSource: hasTime ? "`/usr/bin/time -v` (the OS's maximum resident set size of each client process)" : "each client's own `process.resourceUsage().maxRSS` / `getrusage` (no /usr/bin/time here)",
    python: pythonOk ? python.version : null,
    pythonSkipped: pythonOk ? null : python.skipped,
    versions: {
      "libcloud-ts": (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version,
      undici: versionOf("undici"),
      fetch: `Node ${process.version} built-in (undici ${process.versions["undici"] ?? "?"})`,
      got: versionOf("got"),
      axios: versionOf("axios"),
      "@azure/storage-blob": versionOf("@azure/storage-blob"),
      azurite: versionOf("azurite"),
      "@aws-sdk/client-s3": versionOf("@aws-sdk/client-s3"),
      "@aws-sdk/lib-storage": versionOf("@aws-sdk/lib-storage"),
      s3rver: versionOf("s3rver"),
      "Node 24 peer": nodeVersion(join(root, "node_modules", "node24", "bin", "node")),
    },
    casesRun: casesArg,
  };
  const { markdown, charts } = renderPage(info, reports, readNotes());
  if (args.has("--no-write")) {
    process.stdout.write(markdown);
  } else {
    mkdirSync(join(root, "docs", "bench"), { recursive: true });
    for (const [name, svg] of Object.entries(charts)) writeFileSync(join(root, "docs", "bench", name), svg);
    writeFileSync(join(root, "docs", "benchmarks.md"), markdown);
    writeFileSync(join(root, "docs", "bench", "results.json"), `${JSON.stringify({ info, reports: reports.map((r) => ({ case: r.spec.id, skipped: r.skipped, failures: r.failures, runs: r.runs })) }, null, 1)}\n`);
    log(`wrote docs/benchmarks.md and ${Object.keys(charts).length} charts in docs/bench/`);
  }
  log(`done in ${info.durationS.toFixed(0)} s`);
}

/** Hand-written profile notes and before/after records, kept in bench/notes.md and copied into the page. */
function readNotes(): string {
  const path = join(root, "bench", "notes.md");
  return existsSync(path) ? readFileSync(path, "utf8") : "";
}

await main();
