// `npm run demo`: libcloud-ts's Azure Blobs driver against a real Azure Storage emulator (Azurite),
// started here on a free port with a fresh folder, and always stopped. Exits non-zero on failure.
import { SingleBar, Presets } from "cli-progress";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { enableDebug } from "../src/index.js";
import { AzureBlobsStorageDriver, Provider, getDriver, type Container } from "../src/storage/index.js";
import { startAzurite, type Azurite } from "../test/helpers/azurite.js";

const MiB = 1024 * 1024;
const SIZE = 64 * MiB;
const CHUNK = MiB;

interface Step {
  step: string;
  ms: number;
  bytes?: number;
}
const steps: Step[] = [];

async function timed<T>(step: string, fn: () => Promise<T>, bytes?: number): Promise<T> {
  const start = performance.now();
  const result = await fn();
  steps.push(bytes === undefined ? { step, ms: performance.now() - start } : { step, ms: performance.now() - start, bytes });
  return result;
}

function bar(label: string): SingleBar {
  return new SingleBar({
    format: `${label.padEnd(9)} [{bar}] {percentage}% | {value}/{total} MiB | {speed} MiB/s`,
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 500,
  }, Presets.shades_classic);
}

/** `size` bytes of generated data in 1 MiB chunks (every chunk different), hashed as it goes. */
async function* generate(size: number, hash: ReturnType<typeof createHash>): AsyncGenerator<Buffer> {
  const base = randomBytes(CHUNK);
  for (let sent = 0, n = 0; sent < size; n += 1) {
    const chunk = Buffer.from(base.subarray(0, Math.min(CHUNK, size - sent)));
    chunk.writeUInt32BE(n, 0);
    hash.update(chunk);
    sent += chunk.length;
    yield chunk;
  }
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  return [line(rows[0]!), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.slice(1).map(line)].join("\n");
}

/** Captures the redacted debug log (a curl command and the response) of one request. */
async function curlTranscript(fn: () => Promise<unknown>): Promise<string> {
  let text = "";
  enableDebug({ write: (chunk: string) => { text += chunk; return true; } });
  try {
    await fn();
  } finally {
    enableDebug(null);
  }
  return text.trim();
}

async function main(): Promise<void> {
  const workdir = await mkdtemp(join(tmpdir(), "libcloud-ts-demo-"));
  let azurite: Azurite | undefined;
  let driver: AzureBlobsStorageDriver | undefined;
  try {
    azurite = await timed("start Azurite", () => startAzurite());
    console.log(`Azurite blob service at ${azurite.blobEndpoint} (account ${azurite.account})`);
    const Driver = getDriver(Provider.AZURE_BLOBS);
    driver = new Driver(azurite.account, azurite.key, { host: azurite.host, port: azurite.port, secure: false });
    const d = driver;

    const container: Container = await timed("create container", () => d.createContainer(`demo-${Date.now()}`));
    console.log(`Created container ${container.name}`);

    const sourceHash = createHash("sha256");
    const up = bar("upload");
    up.start(SIZE / MiB, 0, { speed: "0" });
    const upStart = performance.now();
    const uploaded = await timed("upload 64 MiB (Put Block x16 + list)", () => container.uploadObjectViaStream(generate(SIZE, sourceHash), "data/random-64MiB.bin", {
      extra: { contentType: "application/octet-stream", metaData: { origin: "libcloud-ts demo" } },
      onProgress: ({ loadedBytes: sent }) => up.update(sent / MiB, { speed: (sent / MiB / ((performance.now() - upStart) / 1000)).toFixed(0) }),
    }), SIZE);
    up.stop();
    const sourceDigest = sourceHash.digest("hex");
    console.log(`Uploaded ${uploaded.name}: ${uploaded.size} bytes, ETag ${uploaded.hash}, MD5 ${String(uploaded.extra["md5Hash"])}`);

    const listed = await timed("list objects", () => container.listObjects());
    console.log(`Listed ${container.name}:`);
    for (const o of listed) console.log(`  ${o.name}  ${o.size} bytes  ${String(o.extra["contentType"])}  meta ${JSON.stringify(o.metaData)}`);

    const copy = await timed("copy server-side (Copy Blob + poll)", () => d.copyObject(uploaded, container, "data/copy-64MiB.bin"));
    console.log(`Copied to ${copy.name} (x-ms-copy-status success), ${copy.size} bytes`);

    const target = join(workdir, "copy-64MiB.bin");
    const down = bar("download");
    down.start(SIZE / MiB, 0, { speed: "0" });
    const downStart = performance.now();
    await timed("download 64 MiB to a file", () => copy.download(target, {
      onProgress: ({ loadedBytes: got }) => down.update(Math.floor(got / MiB), { speed: (got / MiB / ((performance.now() - downStart) / 1000)).toFixed(0) }),
    }), SIZE);
    down.update(SIZE / MiB);
    down.stop();
    const downloadedDigest = await timed("SHA-256 of the download", () => sha256File(target), SIZE);
    if (downloadedDigest !== sourceDigest) throw new Error(`SHA-256 mismatch: uploaded ${sourceDigest}, downloaded ${downloadedDigest}`);
    console.log(`SHA-256 verified: ${downloadedDigest}`);

    const transcript = await curlTranscript(() => d.getObject(container.name, copy.name));
    console.log("\nOne request (getObject: a single HEAD), as the redacted debug log shows it:\n");
    console.log(transcript.split("\n").map((l) => `    ${l}`).join("\n"));

    await timed("delete objects + container", async () => {
      for (const o of await container.listObjects()) await o.delete();
      await container.delete();
    });
    const remaining = (await d.listContainers()).filter((c) => c.name === container.name);
    if (remaining.length !== 0) throw new Error(`container ${container.name} still listed after delete`);
    console.log(`Deleted both objects and ${container.name}`);

    const rows = [["step", "time (ms)", "MiB/s"], ...steps.map((s) => [
      s.step, s.ms.toFixed(1), s.bytes === undefined ? "" : (s.bytes / MiB / (s.ms / 1000)).toFixed(1),
    ])];
    console.log(`\n${table(rows)}\n`);
  } finally {
    await driver?.close().catch(() => {});
    await azurite?.stop();
    await rm(workdir, { recursive: true, force: true });
  }
  console.log("Azurite stopped. Demo OK.");
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(`\nDemo FAILED: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  if (error instanceof Error && error.stack) console.error(error.stack.split("\n").slice(1, 6).join("\n"));
  process.exit(1);
});
