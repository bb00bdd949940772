// One way to run a test server in a child process (Azurite, s3rver): a free loopback port, a fresh
// temporary folder, the last 8 KB of its output kept for the error, killed with this process, and
// awaited until it accepts a TCP connection. Used by the tests, the demo and the benchmark.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** A port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolveAnswer) => {
    const socket = connect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolveAnswer(true);
    });
    socket.once("error", () => resolveAnswer(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveExit) => child.once("exit", () => resolveExit()));
}

/** The first `relative` path found walking up from this file (the repository, from src or dist); throws `notFound`. */
export function findUp(relative: string, notFound: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    const parent = resolve(dir, "..");
    if (parent === dir) throw new Error(notFound);
    dir = parent;
  }
}

/** A server process that answers on `port`. */
export interface ChildServer {
  readonly port: number;
  /** Its temporary folder (removed by stop()). */
  readonly directory: string;
  /** Stops the process (SIGTERM, then SIGKILL after 3 s) and removes its folder. Safe to call twice. */
  stop(): Promise<void>;
}

/** How to start one. */
export interface ChildServerOptions {
  /** Shown in errors: "Azurite", "s3rver". */
  name: string;
  /** The temporary folder's name prefix. */
  folderPrefix: string;
  /** Node's arguments (the script and its options) for the free port and the folder. */
  args(port: number, directory: string): string[];
  /** How long it may take to answer. */
  timeoutMs: number;
}

/** Starts a server process on a free port; rejects with its output if it exits or does not answer within `timeoutMs`. */
export async function startChildServer(options: ChildServerOptions): Promise<ChildServer> {
  const directory = await mkdtemp(join(tmpdir(), options.folderPrefix));
  const port = await freePort();
  const child = spawn(process.execPath, options.args(port, directory), { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (c: Buffer) => { output = (output + c.toString()).slice(-8000); });
  child.stderr?.on("data", (c: Buffer) => { output = (output + c.toString()).slice(-8000); });
  // If this process ends without stop() (a crash, process.exit), take the server with it.
  const killOnExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(directory, { recursive: true, force: true });
  };
  process.once("exit", killOnExit);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener("exit", killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
      await exited(child);
      clearTimeout(timer);
    }
    await rm(directory, { recursive: true, force: true });
  };
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`${options.name} exited (code ${child.exitCode ?? child.signalCode}) before answering on port ${port}:\n${output}`);
    }
    if (await answers(port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.name} did not answer on 127.0.0.1:${port} within ${options.timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, directory, stop };
}
