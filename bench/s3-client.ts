// Case e client: the S3 driver of src/storage vs @aws-sdk/client-s3 (+ @aws-sdk/lib-storage Upload)
// against s3rver. HEADs: one small object's metadata, 10 warm-up then `heads` timed. Round trip:
// upload `bytes` from a generated stream (multipart, the same part size and parts in flight for
// both), download it as a stream, check the SHA-256 against the source's. Upload and download are
// also timed apart, with the client's CPU time and, where /proc has it, s3rver's.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { performance } from "node:perf_hooks";
import type { ClientResult, ClientTask } from "./client.js";
import { payload, payloadSha256 } from "./shared.js";

type S3Task = NonNullable<ClientTask["s3"]>;
const MiB = 1024 * 1024;

interface Peer {
  head(): Promise<unknown>;
  upload(name: string, total: number): Promise<void>;
  /** Downloads `name` as a stream; returns its SHA-256 and length. */
  download(name: string): Promise<{ sha256: string; bytes: number }>;
  remove(name: string): Promise<void>;
}

async function hashStream(body: AsyncIterable<Uint8Array>): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of body) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest("hex"), bytes };
}

async function libcloudTs(s3: S3Task): Promise<Peer> {
  const { S3StorageDriver } = await import("../src/storage/index.js");
  const driver = new S3StorageDriver(s3.key, s3.secret, { host: s3.host, port: s3.port, secure: false });
  const container = await driver.getContainer(s3.bucket);
  await driver.uploadObjectViaStream([Buffer.alloc(1024, "x")], container, "head-target-ts");
  const uploaded = new Map<string, Awaited<ReturnType<typeof driver.uploadObjectViaStream>>>();
  return {
    head: () => driver.getObject(s3.bucket, "head-target-ts"),
    async upload(name, total) {
      uploaded.set(name, await driver.uploadObjectViaStream(payload(total), container, name));
    },
    async download(name) {
      return hashStream(await driver.downloadObjectAsStream(uploaded.get(name)!));
    },
    async remove(name) {
      await driver.deleteObject(uploaded.get(name)!);
    },
  };
}

async function awsSdk(s3: S3Task): Promise<Peer> {
  process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true";
  const { S3Client, HeadObjectCommand, PutObjectCommand, GetObjectCommand, DeleteObjectCommand } = await import("@aws-sdk/client-s3");
  const { Upload } = await import("@aws-sdk/lib-storage");
  const sdk = new S3Client({
    endpoint: `http://${s3.host}:${s3.port}`,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: s3.key, secretAccessKey: s3.secret },
    // The SDK's default CRC32 checksums are sent as aws-chunked bodies, which s3rver stores framing and all.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  await sdk.send(new PutObjectCommand({ Bucket: s3.bucket, Key: "head-target-sdk", Body: Buffer.alloc(1024, "x") }));
  return {
    head: () => sdk.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: "head-target-sdk" })),
    async upload(name, total) {
      await new Upload({ client: sdk, partSize: s3.partSize, queueSize: s3.queueSize, params: { Bucket: s3.bucket, Key: name, Body: Readable.from(payload(total)) } }).done();
    },
    async download(name) {
      const got = await sdk.send(new GetObjectCommand({ Bucket: s3.bucket, Key: name }));
      return hashStream(got.Body as AsyncIterable<Uint8Array>);
    },
    async remove(name) {
      await sdk.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: name }));
    },
  };
}

/** A process's user + system CPU time in ms from /proc/<pid>/stat, or NaN where that can't be read. */
function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 (utime, stime), in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

export async function runS3Client(task: ClientTask): Promise<ClientResult> {
  const s3 = task.s3;
  if (s3 === undefined) throw new Error("case e needs task.s3");
  const peer = task.peer === "libcloud-ts" ? await libcloudTs(s3) : task.peer === "aws-sdk" ? await awsSdk(s3) : null;
  if (peer === null) throw new Error(`unknown peer ${task.peer}`);
  const expected = payloadSha256(s3.bytes);
  for (let i = 0; i < 10; i++) await peer.head();
  const idleRss = process.memoryUsage.rss();
  let server0 = processCpuMs(s3.serverPid);
  let t0 = performance.now();
  for (let i = 0; i < s3.heads; i++) await peer.head();
  const headsMs = performance.now() - t0;
  const serverHeadsCpuMs = processCpuMs(s3.serverPid) - server0;

  const name = `${task.peer}-${process.pid}-${Date.now()}.bin`;
  // RSS sampled every 20 ms over the round trip (peaks of the upload and the download too), with the heap / external / ArrayBuffer split at its peak.
  // (memoryUsage() walks the heap, so it is taken only when the RSS passes its peak by a MiB.)
  let peak = process.memoryUsage();
  let peakRss = peak.rss;
  let phasePeak = peakRss;
  const sampler = setInterval(() => {
    const rss = process.memoryUsage.rss();
    phasePeak = Math.max(phasePeak, rss);
    if (rss <= peakRss) return;
    peakRss = rss;
    if (rss > peak.rss + MiB) peak = process.memoryUsage();
  }, 20);
  const cpu0 = process.cpuUsage();
  server0 = processCpuMs(s3.serverPid);
  const hr0 = process.hrtime.bigint();
  t0 = performance.now();
  await peer.upload(name, s3.bytes);
  const t1 = performance.now();
  const hr1 = process.hrtime.bigint();
  const uploadCpuMs = cpuMs(cpu0);
  const serverUploadCpuMs = processCpuMs(s3.serverPid) - server0;
  const uploadPeakRss = Math.max(phasePeak, process.memoryUsage.rss());
  phasePeak = 0;
  const { sha256, bytes } = await peer.download(name);
  const t2 = performance.now();
  const hr2 = process.hrtime.bigint();
  const roundTripCpuMs = cpuMs(cpu0);
  const serverTripCpuMs = processCpuMs(s3.serverPid) - server0;
  clearInterval(sampler);
  if (bytes !== s3.bytes || sha256 !== expected) throw new Error(`round trip mismatch: ${bytes} bytes, sha256 ${sha256} (expected ${expected})`);
  await peer.remove(name);
  const result: ClientResult = {
    headsMs,
    roundTripMs: t2 - t0,
    uploadMs: t1 - t0,
    downloadMs: t2 - t1,
    clientCpuMs: roundTripCpuMs,
    uploadCpuMs,
    idleRssKb: Math.round(idleRss / 1024),
    sampledPeakRssKb: Math.round(peakRss / 1024),
    uploadPeakRssKb: Math.round(uploadPeakRss / 1024),
    downloadPeakRssKb: Math.round(Math.max(phasePeak, process.memoryUsage.rss()) / 1024),
    peakHeapUsedKb: Math.round(peak.heapUsed / 1024),
    peakExternalKb: Math.round(peak.external / 1024),
    peakArrayBuffersKb: Math.round(peak.arrayBuffers / 1024),
    // Monotonic clock (µs, the clock of --cpu-prof's timestamps): bench/profile-e.ts cuts the profile with these.
    uploadStartUs: Number(hr0 / 1000n),
    uploadEndUs: Number(hr1 / 1000n),
    downloadEndUs: Number(hr2 / 1000n),
    partSize: s3.partSize,
    queueSize: s3.queueSize,
  };
  if (Number.isFinite(serverTripCpuMs)) result["serverCpuMs"] = serverTripCpuMs;
  if (Number.isFinite(serverUploadCpuMs)) result["serverUploadCpuMs"] = serverUploadCpuMs;
  if (Number.isFinite(serverHeadsCpuMs)) result["serverHeadsCpuMs"] = serverHeadsCpuMs;
  return result;
}
