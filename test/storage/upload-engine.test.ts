// The upload engine (src/storage/upload-engine.ts) that both storage drivers' uploads go through:
// retries from the part's buffer, a failed or aborted upload cleaned up (no multipart upload left
// behind), an abort that stops reading, a file that changes while it is read. Against a loopback
// S3-like server (test/helpers/fake-s3.ts: s3rver answers AbortMultipartUpload 405 and cannot list
// uploads) and Azurite.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, open, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { LibcloudError } from "../../src/index.js";
import {
  AzureBlobsStorageDriver, Container, ObjectHashMismatchError, S3StorageDriver, StorageObject, UploadError, UploadPartError, WorkerHasher,
  inlineHasher, type PartHasher,
} from "../../src/storage/index.js";
import { startAzurite, type Azurite } from "../helpers/azurite.js";
import { listMultipartUploads, startFakeS3, type FakeS3, type FakeS3Fault, type FakeS3Request } from "../helpers/fake-s3.js";
import { startServer } from "../helpers/server.js";

const KiB = 1024;
const PART = 64 * KiB;

/** Deterministic bytes in 20 KiB pieces, each piece different (so a part sent from the wrong buffer shows). */
function pieces(total: number, seed = 1): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < total; at += 20 * KiB, i++) {
    const b = Buffer.alloc(Math.min(20 * KiB, total - at), (seed * 37 + i) & 0xff);
    if (b.length >= 4) b.writeUInt32BE(i, 0);
    out.push(b);
  }
  return out;
}

/** An async iterable over `source` that counts the pieces asked of it. */
function counted(source: AsyncIterator<Buffer>): { iterable: AsyncIterable<Buffer>; asked: () => number } {
  let asked = 0;
  const iterator: AsyncIterableIterator<Buffer> = {
    [Symbol.asyncIterator]: () => iterator,
    next: () => {
      asked++;
      return source.next();
    },
    return: async () => (await source.return?.()) ?? { done: true, value: undefined },
  };
  return { iterable: iterator, asked: () => asked };
}

/** A worker-thread hasher that takes parts of any size (the default one hashes parts under 1 MiB inline). */
const threaded = new WorkerHasher({ minPartBytes: 0 });
after(() => threaded.close());

async function withS3(
  fault: (r: FakeS3Request) => FakeS3Fault | undefined, fn: (s3: FakeS3, driver: S3StorageDriver, bucket: Container) => Promise<void>, hasher?: PartHasher,
): Promise<void> {
  const s3 = await startFakeS3(fault);
  const driver = new S3StorageDriver("AKID", "secret", { host: "127.0.0.1", port: s3.port, secure: false, retryDelay: 20 });
  driver.uploadPartSize = PART;
  driver.uploadConcurrency = 3;
  driver.uploadHasher = hasher;
  try {
    await fn(s3, driver, new Container("bucket", {}, driver));
  } finally {
    await driver.close();
    await s3.close();
  }
}

describe("upload engine on a loopback S3", () => {
  for (const [label, hasher] of [["inline hashing", inlineHasher], ["hashing in a worker thread", threaded]] as const) {
  it(`a part that fails once (its connection dropped mid-body) is retried from its buffer while later parts go on: the object is intact (${label})`, { timeout: 20_000 }, async () => {
    let dropped = 0;
    await withS3((r) => {
      // Part 2's first attempt is dropped only after parts 3-5 were read and sent: its buffer must not have been reused.
      if (r.part === 2 && dropped === 0) {
        dropped++;
        return { drop: true };
      }
      return r.part === 1 ? { delayMs: 100 } : undefined;
    }, async (s3, driver, bucket) => {
      const data = pieces(10 * PART + 777);
      const obj = await driver.uploadObjectViaStream(data, bucket, "k");
      assert.equal(dropped, 1);
      const whole = Buffer.concat(data);
      assert.ok(s3.objects.get("k")?.equals(whole), "the stored object is the source's bytes");
      assert.equal(obj.size, whole.length);
      assert.equal(obj.extra["md5Hash"], createHash("md5").update(whole).digest("hex"));
      assert.equal(s3.log.filter((e) => e.kind === "part" && e.part === 2).length, 2, "part 2 was sent twice");
      assert.deepEqual(await listMultipartUploads(s3.port, "bucket"), []);
    }, hasher);
  });
  }

  it("a part whose retries run out is an UploadPartError (part, attempts, cause) and leaves no multipart upload behind", { timeout: 20_000 }, async () => {
    await withS3((r) => (r.part === 3 ? { status: 503, body: "<Error><Code>SlowDown</Code><Message>busy</Message></Error>" } : undefined), async (s3, driver, bucket) => {
      driver.connection.maxAttempts = 3;
      const error = await driver.uploadObjectViaStream(pieces(6 * PART), bucket, "k").then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof UploadPartError, `an UploadPartError, got ${String(error)}`);
      assert.ok(error instanceof UploadError);
      assert.equal(error.partNumber, 3);
      assert.equal(error.attempts, 3);
      assert.equal(error.objectName, "k");
      assert.match(error.message, /Part 3 of "k" failed after 3 attempts/);
      assert.ok(error.cause instanceof Error);
      assert.equal(s3.log.filter((e) => e.kind === "part" && e.part === 3).length, 3);
      assert.deepEqual(s3.completed, []);
      assert.deepEqual(s3.aborted, ["upload-1"]);
      assert.deepEqual(await listMultipartUploads(s3.port, "bucket"), [], "ListMultipartUploads is empty");
    });
  });

  it("a part refused for good stops the parts still in flight at once; AbortMultipartUpload comes after they closed", { timeout: 20_000 }, async () => {
    await withS3((r) => {
      if (r.part === 1 || r.part === 2) return { delayMs: 10_000 }; // stalled at the server
      if (r.part === 3) return { status: 400, body: "<Error><Code>InvalidPart</Code><Message>no</Message></Error>" };
      return undefined;
    }, async (s3, driver, bucket) => {
      const started = performance.now();
      await assert.rejects(driver.uploadObjectViaStream(pieces(8 * PART), bucket, "k"), /InvalidPart/);
      const took = performance.now() - started;
      assert.ok(took < 3000, `the upload failed in ${took.toFixed(0)} ms, without waiting for the stalled parts`);
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(s3.aborted, ["upload-1"], "AbortMultipartUpload was sent");
      for (const p of [1, 2]) {
        // The server holds these for 10 s: an entry means the client closed them.
        const closed = s3.log.find((e) => e.kind === "part" && e.part === p);
        assert.ok(closed !== undefined && closed.at < 3000, `part ${p}'s request was cancelled`);
      }
      assert.equal(s3.log.filter((e) => e.kind === "part").length, 3, "parts 1-3 only: nothing after the failure");
      assert.deepEqual(await listMultipartUploads(s3.port, "bucket"), []);
    });
  });

  it("an abort mid-upload stops reading at once, even from a stalled source: the source is told to stop, the upload aborted", { timeout: 20_000 }, async () => {
    let release: () => void = () => {};
    const stalled = new Promise<void>((resolve) => { release = resolve; });
    let returned = false;
    let askedAtAbort = -1;
    async function* stalling(): AsyncGenerator<Buffer> {
      try {
        yield* pieces(4 * PART);
        await stalled; // never ends by itself
        yield Buffer.alloc(PART);
      } finally {
        returned = true;
      }
    }
    const source = counted(stalling());
    await withS3(() => undefined, async (s3, driver, bucket) => {
      const controller = new AbortController();
      const timer = setTimeout(() => {
        askedAtAbort = source.asked();
        controller.abort();
      }, 300);
      const started = performance.now();
      try {
        await assert.rejects(driver.uploadObjectViaStream(source.iterable, bucket, "k", { signal: controller.signal }),
          (e: unknown) => (e as Error).name === "AbortError");
        assert.ok(performance.now() - started < 3000, `the abort ended the upload in ${(performance.now() - started).toFixed(0)} ms`);
        assert.deepEqual(s3.aborted, ["upload-1"], "AbortMultipartUpload was sent");
        assert.deepEqual(s3.completed, []);
        assert.deepEqual(await listMultipartUploads(s3.port, "bucket"), []);
      } finally {
        clearTimeout(timer);
        release();
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(returned, "the stalled source was told to stop");
      assert.equal(source.asked(), askedAtAbort, "nothing was asked of the source after the abort");
    });
  });

  it("H5: uploadObject of a file changed in place while it is read (same size) fails with an UploadError, aborted, nothing committed", { timeout: 20_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "libcloud-ts-engine-"));
    try {
      const file = join(dir, "f.bin");
      const handle = await open(file, "w");
      for (const p of pieces(64 * PART)) await handle.write(p); // larger than what is read ahead (the file is read 1 MiB at a time)
      await handle.close();
      let changed = false;
      await withS3((r) => (r.part === 1 ? { delayMs: 50 } : undefined), async (s3, driver, bucket) => {
        const error = await driver.uploadObject(file, bucket, "k", {
          onProgress: () => {
            if (changed) return;
            changed = true;
            // Overwrite a later part in place: same size, new bytes, new mtime.
            void (async () => {
              const h = await open(file, "r+");
              await h.write(Buffer.alloc(1000, 0xee), 0, 1000, 60 * PART);
              await h.close();
              await utimes(file, new Date(), new Date(Date.now() + 5000));
            })();
          },
        }).then(() => undefined, (e: unknown) => e);
        assert.ok(error instanceof UploadError, `an UploadError, got ${String(error)}`);
        assert.equal(s3.objects.get("k"), undefined, "nothing was stored");
        assert.deepEqual(s3.completed, []);
        assert.deepEqual(await listMultipartUploads(s3.port, "bucket"), []);
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a hashing thread that stops mid-upload fails the upload typed, and the multipart upload is aborted", { timeout: 20_000 }, async () => {
    const doomed = new WorkerHasher({ minPartBytes: 0 });
    await withS3((r) => (r.part === 2 ? { delayMs: 200 } : undefined), async (s3, driver, bucket) => {
      const error = await driver.uploadObjectViaStream(pieces(12 * PART), bucket, "k", {
        onProgress: () => void doomed.close(), // the thread is terminated after the first part is stored
      }).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof LibcloudError && /hashing thread/.test(error.message), `a LibcloudError about the hashing thread, got ${String(error)}`);
      assert.deepEqual(s3.completed, []);
      assert.deepEqual(s3.aborted, ["upload-1"]);
      assert.deepEqual(await listMultipartUploads(s3.port, "bucket"), []);
    }, doomed);
  });
});

describe("S3 single PUT: the ETag check (loopback)", () => {
  it("an ETag that is not the MD5 fails uploadObject (verifyHash), unless the object is SSE-KMS or SSE-C encrypted (libcloud #1401)", { timeout: 20_000 }, async () => {
    let encryption: Record<string, string> = {};
    const server = await startServer((_req, res) => void res.writeHead(200, { ETag: `"${"0".repeat(32)}"`, ...encryption }).end());
    const driver = new S3StorageDriver("AKID", "secret", { host: "127.0.0.1", port: server.port, secure: false });
    const dir = await mkdtemp(join(tmpdir(), "libcloud-ts-engine-etag-"));
    try {
      const file = join(dir, "f.txt");
      const h = await open(file, "w");
      await h.write("hello");
      await h.close();
      const bucket = new Container("bucket", {}, driver);
      await assert.rejects(driver.uploadObject(file, bucket, "k"), ObjectHashMismatchError);
      encryption = { "x-amz-server-side-encryption": "aws:kms" };
      assert.equal((await driver.uploadObject(file, bucket, "k")).size, 5);
      encryption = { "x-amz-server-side-encryption": "aws:kms:dsse" };
      assert.equal((await driver.uploadObject(file, bucket, "k")).size, 5);
      encryption = { "x-amz-server-side-encryption-customer-algorithm": "AES256" };
      assert.equal((await driver.uploadObject(file, bucket, "k")).size, 5);
      encryption = { "x-amz-server-side-encryption": "AES256" }; // SSE-S3: the ETag is the MD5, so it is checked
      await assert.rejects(driver.uploadObject(file, bucket, "k"), ObjectHashMismatchError);
    } finally {
      await driver.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("upload engine on Azurite", () => {
  let azurite: Azurite;
  let driver: AzureBlobsStorageDriver;
  let container: Container;
  before(async () => {
    azurite = await startAzurite();
    driver = new AzureBlobsStorageDriver(azurite.account, azurite.key, { host: azurite.host, port: azurite.port, secure: false });
    driver.uploadChunkSize = PART;
    container = await driver.createContainer(`engine-${process.pid}`);
  });
  after(async () => {
    await driver?.close();
    await azurite?.stop();
  });

  it("an abort mid-upload stops reading at once: no piece is read after it, nothing is committed", { timeout: 20_000 }, async () => {
    let askedAtAbort = -1;
    const controller = new AbortController();
    async function* endless(): AsyncGenerator<Buffer> {
      for (let i = 0; ; i++) yield Buffer.alloc(20 * KiB, i & 0xff);
    }
    const source = counted(endless());
    await assert.rejects(driver.uploadObjectViaStream(source.iterable, container, "abort", {
      signal: controller.signal,
      onProgress: ({ loadedBytes }) => {
        if (loadedBytes >= 3 * PART && !controller.signal.aborted) {
          askedAtAbort = source.asked();
          controller.abort();
        }
      },
    }), (e: unknown) => (e as Error).name === "AbortError");
    assert.equal(source.asked(), askedAtAbort, "nothing was asked of the source after the abort");
    assert.deepEqual((await driver.listContainerObjects(container)).map((o) => o.name), []);
  });

  it("a block upload's hashes, computed once in a worker thread, are what Azurite checks (Content-MD5 of each block) and stores (the blob's MD5)", { timeout: 20_000 }, async () => {
    driver.uploadHasher = threaded;
    const data = pieces(5 * PART + 3);
    const obj = await driver.uploadObjectViaStream(data, container, "hashed");
    const whole = Buffer.concat(data);
    assert.equal(obj.extra.md5Hash, createHash("md5").update(whole).digest("hex"));
    const back = await driver.getObject(container.name, "hashed");
    assert.equal(back.extra.md5Hash, obj.extra.md5Hash, "the service stored the MD5 the engine computed");
    driver.uploadHasher = undefined;
  });
});

describe("H12: a download's Content-MD5, checked off the event loop for bodies of 1 MiB and more (loopback)", () => {
  it("H12: a 3 MiB body matching its Content-MD5 streams whole; one contradicting it is an ObjectHashMismatchError, and no file is saved", { timeout: 20_000 }, async () => {
    const body = Buffer.concat(pieces(3 * 1024 * KiB + 5, 9));
    const good = createHash("md5").update(body).digest("base64");
    let md5 = good;
    const server = await startServer((_req, res) => void res.writeHead(200, { "Content-Length": body.length, "Content-MD5": md5 }).end(body));
    const d = new AzureBlobsStorageDriver("acct", Buffer.from("k").toString("base64"), { host: "127.0.0.1", port: server.port, secure: false });
    const dir = await mkdtemp(join(tmpdir(), "libcloud-ts-engine-h12-"));
    try {
      const obj = new StorageObject({ name: "o.bin", size: body.length, hash: null, container: new Container("c", {}, d), driver: d });
      const chunks: Buffer[] = [];
      for await (const c of await d.downloadObjectAsStream(obj)) chunks.push(c);
      assert.ok(Buffer.concat(chunks).equals(body));
      md5 = createHash("md5").update(body.subarray(1)).digest("base64");
      await assert.rejects(async () => {
        for await (const _ of await d.downloadObjectAsStream(obj)) { /* drain */ }
      }, ObjectHashMismatchError);
      await assert.rejects(d.downloadObject(obj, join(dir, "o.bin")), ObjectHashMismatchError);
      await assert.rejects(open(join(dir, "o.bin")), { code: "ENOENT" });
    } finally {
      await d.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
