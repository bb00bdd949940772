// Case e setup: starts s3rver (the tests' helper, on 127.0.0.1, a fresh temporary folder) and makes
// the benchmark bucket with the driver. The clients talk to s3rver directly, not through the helper's
// signature-checking front (a second hop that buffers every body). The driver's own part size and
// parts in flight are read here, so the SDK's Upload is given the same. If the driver or the helper
// can't be loaded, or s3rver does not start, case e is reported as skipped with the reason.
import { readdirSync, readFileSync } from "node:fs";

export interface S3Setup {
  endpoint: { host: string; port: number; key: string; secret: string; bucket: string; partSize: number; queueSize: number; serverPid?: number };
  stop(): Promise<void>;
}

const BUCKET = "bench-e";

/** The PID of the s3rver process listening on `port` (Linux /proc), so the clients can read its CPU time. */
function findServerPid(port: number): number | undefined {
  try {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      let argv: string[];
      try {
        argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      } catch {
        continue;
      }
      const p = argv.indexOf("-p");
      if (argv.some((a) => a.endsWith("s3rver.js")) && p >= 0 && argv[p + 1] === String(port)) return Number(entry);
    }
  } catch {
    // no /proc: the server's CPU is not reported
  }
  return undefined;
}

export async function startS3(log: (message: string) => void): Promise<S3Setup | { skipped: string }> {
  let helper: typeof import("../test/helpers/s3rver.js");
  let storage: typeof import("../src/storage/index.js");
  try {
    helper = await import("../test/helpers/s3rver.js");
    storage = await import("../src/storage/index.js");
  } catch (error) {
    return { skipped: `driver not ready (${(error as Error).message.split("\n")[0] ?? ""})` };
  }
  let s3: Awaited<ReturnType<typeof helper.startS3rver>>;
  try {
    s3 = await helper.startS3rver({ timeoutMs: 30_000, verify: false });
  } catch (error) {
    return { skipped: `s3rver did not start: ${(error as Error).message.split("\n")[0] ?? ""}` };
  }
  const driver = new storage.S3StorageDriver(s3.key, s3.secret, { host: s3.host, port: s3.directPort, secure: false });
  // Read as plain numbers: the upload engine may move these settings; the defaults are S3's.
  const tuning = driver as unknown as { uploadPartSize?: unknown; uploadConcurrency?: unknown };
  const partSize = typeof tuning.uploadPartSize === "number" ? tuning.uploadPartSize : storage.S3_CHUNK_SIZE;
  const queueSize = typeof tuning.uploadConcurrency === "number" ? tuning.uploadConcurrency : 4;
  try {
    await driver.createContainer(BUCKET);
  } finally {
    await driver.close();
  }
  const serverPid = findServerPid(s3.directPort);
  log(`e: s3rver on 127.0.0.1:${s3.directPort}${serverPid === undefined ? "" : ` (pid ${serverPid})`}; parts of ${partSize / 1024 / 1024} MiB, ${queueSize} in flight`);
  return {
    endpoint: { host: s3.host, port: s3.directPort, key: s3.key, secret: s3.secret, bucket: BUCKET, partSize, queueSize, ...(serverPid === undefined ? {} : { serverPid }) },
    stop: () => s3.stop(),
  };
}
