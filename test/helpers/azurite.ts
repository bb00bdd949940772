// Starts Microsoft's Azure Storage emulator (Azurite, blob service only) for tests, the demo and the
// benchmark: a free loopback port, a fresh temporary folder, stopped by its PID. Fails loudly.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Azurite's well-known development account. */
export const AZURITE_ACCOUNT = "devstoreaccount1";
/** Azurite's well-known development key (public, documented by Microsoft). */
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** A running Azurite blob service. */
export interface Azurite {
  host: string;
  port: number;
  account: string;
  key: string;
  /** `http://127.0.0.1:PORT/devstoreaccount1` */
  blobEndpoint: string;
  /** Stops the process (SIGTERM, then SIGKILL) and removes its folder. Safe to call twice. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
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

function findBinary(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "node_modules", "azurite", "dist", "src", "blob", "main.js");
    if (existsSync(candidate)) return candidate;
    const parent = resolve(dir, "..");
    if (parent === dir) throw new Error("Azurite is not installed (node_modules/azurite): run `npm ci`");
    dir = parent;
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveExit) => child.once("exit", () => resolveExit()));
}

/** The test server certificate (127.0.0.1, localhost; issued by test/fixtures/tls/ca.pem) Azurite serves with `oauth`. */
function tlsFixture(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "test", "fixtures", "tls", name);
    if (existsSync(candidate)) return candidate;
    const parent = resolve(dir, "..");
    if (parent === dir) throw new Error(`test/fixtures/tls/${name} not found`);
    dir = parent;
  }
}

/**
 * Starts Azurite's blob service; rejects with its output if it does not answer within `timeoutMs`.
 * With `oauth`, it serves HTTPS with the test certificate and takes Azure AD bearer tokens
 * (`--oauth basic`: issuer, audience and lifetime are checked, not the signature).
 */
export async function startAzurite(options: { timeoutMs?: number; oauth?: boolean } = {}): Promise<Azurite> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const location = await mkdtemp(join(tmpdir(), "libcloud-ts-azurite-"));
  const port = await freePort();
  const child = spawn(process.execPath, [
    findBinary(), "--blobHost", "127.0.0.1", "--blobPort", String(port), "--location", location,
    "--silent", "--skipApiVersionCheck", "--disableTelemetry",
    ...(options.oauth === true ? ["--oauth", "basic", "--cert", tlsFixture("server.pem"), "--key", tlsFixture("server.key")] : []),
  ], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (c: Buffer) => { output = (output + c.toString()).slice(-8000); });
  child.stderr?.on("data", (c: Buffer) => { output = (output + c.toString()).slice(-8000); });
  // If this process ends without stop() (a crash, process.exit), take the emulator with it.
  const killOnExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(location, { recursive: true, force: true });
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
    await rm(location, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`Azurite exited (code ${child.exitCode ?? child.signalCode}) before answering on port ${port}:\n${output}`);
    }
    if (await answers(port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Azurite did not answer on 127.0.0.1:${port} within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host: "127.0.0.1", port, account: AZURITE_ACCOUNT, key: AZURITE_KEY,
    blobEndpoint: `${options.oauth === true ? "https" : "http"}://127.0.0.1:${port}/${AZURITE_ACCOUNT}`, stop,
  };
}
