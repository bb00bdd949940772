// Benchmark case e: the S3 driver vs @aws-sdk/client-s3 (+ @aws-sdk/lib-storage Upload) on s3rver
// (direct, no verifying front): 500 HEADs, and a 64 MiB upload + download round trip with a SHA-256
// check, with each client's peak RSS. Every (peer, round) runs in its own process, peers alternate.
// `npm run build && node dist/bench/s3-case-e.js [rounds]`.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";

const MiB = 1024 * 1024;
const HEADS = 500;
const BYTES = 64 * MiB;
const BLOCK = Buffer.from(Uint8Array.from({ length: MiB }, (_, i) => i & 255));

function* source(total: number): Generator<Buffer> {
  for (let left = total; left > 0; left -= BLOCK.length) yield left >= BLOCK.length ? BLOCK : BLOCK.subarray(0, left);
}

interface Task { peer: "libcloud-ts" | "aws-sdk"; port: number; key: string; secret: string; bucket: string }
interface Result { headsMs: number; roundTripMs: number; maxRssKb: number; ok: boolean }

async function client(task: Task): Promise<Result> {
  const expected = createHash("sha256");
  for (const b of source(BYTES)) expected.update(b);
  const want = expected.digest("hex");
  const name = `rt-${task.peer}-${process.pid}`;
  let head: () => Promise<unknown>;
  let roundTrip: () => Promise<string>;
  if (task.peer === "libcloud-ts") {
    const { S3StorageDriver } = await import("../src/storage/index.js");
    const d = new S3StorageDriver(task.key, task.secret, { host: "127.0.0.1", port: task.port, secure: false });
    const c = await d.getContainer(task.bucket);
    await d.uploadObjectViaStream([Buffer.alloc(1024, "x")], c, "head-target");
    head = () => d.getObject(task.bucket, "head-target");
    roundTrip = async () => {
      const obj = await d.uploadObjectViaStream(source(BYTES), c, name);
      const h = createHash("sha256");
      for await (const chunk of await d.downloadObjectAsStream(obj)) h.update(chunk);
      return h.digest("hex");
    };
  } else {
    process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true";
    const { S3Client, HeadObjectCommand, PutObjectCommand, GetObjectCommand } = await import("@aws-sdk/client-s3");
    const { Upload } = await import("@aws-sdk/lib-storage");
    const { Readable } = await import("node:stream");
    const sdk = new S3Client({
      endpoint: `http://127.0.0.1:${task.port}`, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: task.key, secretAccessKey: task.secret },
      requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED",
    });
    await sdk.send(new PutObjectCommand({ Bucket: task.bucket, Key: "head-target", Body: Buffer.alloc(1024, "x") }));
    head = () => sdk.send(new HeadObjectCommand({ Bucket: task.bucket, Key: "head-target" }));
    roundTrip = async () => {
      // Same part size and parts in flight as the driver (5 MiB, 4).
      await new Upload({ client: sdk, partSize: 5 * MiB, queueSize: 4, params: { Bucket: task.bucket, Key: name, Body: Readable.from(source(BYTES)) } }).done();
      const got = await sdk.send(new GetObjectCommand({ Bucket: task.bucket, Key: name }));
      const h = createHash("sha256");
      for await (const chunk of got.Body as AsyncIterable<Uint8Array>) h.update(chunk);
      return h.digest("hex");
    };
  }
  for (let i = 0; i < 10; i++) await head();
  let t = performance.now();
  for (let i = 0; i < HEADS; i++) await head();
  const headsMs = performance.now() - t;
  t = performance.now();
  const got = await roundTrip();
  const roundTripMs = performance.now() - t;
  return { headsMs, roundTripMs, maxRssKb: process.resourceUsage().maxRSS, ok: got === want };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function main(): Promise<void> {
  if (process.argv[2] === "--client") {
    process.stdout.write(JSON.stringify(await client(JSON.parse(process.argv[3]!) as Task)));
    process.exit(0);
  }
  const rounds = Number(process.argv[2] ?? 3);
  const { startS3rver } = await import("../test/helpers/s3rver.js");
  const s3 = await startS3rver({ verify: false });
  try {
    const { S3StorageDriver } = await import("../src/storage/index.js");
    const setup = new S3StorageDriver(s3.key, s3.secret, { host: "127.0.0.1", port: s3.directPort, secure: false });
    await setup.createContainer("bench-e");
    await setup.close();
    const results: Record<string, Result[]> = { "libcloud-ts": [], "aws-sdk": [] };
    for (let r = 0; r < rounds; r++) {
      const order: Array<Task["peer"]> = r % 2 === 0 ? ["libcloud-ts", "aws-sdk"] : ["aws-sdk", "libcloud-ts"];
      for (const peer of order) {
        const task: Task = { peer, port: s3.directPort, key: s3.key, secret: s3.secret, bucket: "bench-e" };
        const out = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--client", JSON.stringify(task)], { encoding: "utf8", timeout: 300_000 });
        if (out.status !== 0) throw new Error(`${peer} round ${r} failed: ${out.stderr}`);
        const result = JSON.parse(out.stdout) as Result;
        if (!result.ok) throw new Error(`${peer} round ${r}: SHA-256 mismatch`);
        results[peer]!.push(result);
        console.log(`round ${r + 1} ${peer.padEnd(11)} 500 HEADs ${result.headsMs.toFixed(0).padStart(6)} ms  64 MiB round trip ${result.roundTripMs.toFixed(0).padStart(6)} ms  peak RSS ${(result.maxRssKb / 1024).toFixed(0)} MiB`);
      }
    }
    const ours = results["libcloud-ts"]!;
    const sdk = results["aws-sdk"]!;
    const row = (label: string, f: (x: Result) => number, unit: string): string =>
      `| ${label} | ${median(ours.map(f)).toFixed(0)} ${unit} | ${median(sdk.map(f)).toFixed(0)} ${unit} | ${(median(sdk.map(f)) / median(ours.map(f))).toFixed(2)}x |`;
    console.log(`\nCase e, medians of ${rounds} rounds (s3rver 3.7.1, Node ${process.version}):\n`);
    console.log("| measure | libcloud-ts | @aws-sdk/client-s3 | SDK / ours |\n|---|---|---|---|");
    console.log(row("500 HEADs", (x) => x.headsMs, "ms"));
    console.log(row("64 MiB up + down, SHA-256 checked", (x) => x.roundTripMs, "ms"));
    console.log(row("peak RSS", (x) => x.maxRssKb / 1024, "MiB"));
  } finally {
    await s3.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
