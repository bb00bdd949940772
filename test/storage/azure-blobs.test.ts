// AzureBlobsStorageDriver against Azurite (Microsoft's emulator), started here; never skipped.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { gunzipSync, gzipSync } from "node:zlib";
import { InvalidCredsError } from "../../src/index.js";
import {
  AzureBlobsStorageDriver, Container, ContainerAlreadyExistsError, ContainerDoesNotExistError, ContainerIsNotEmptyError,
  InvalidContainerNameError, ObjectDoesNotExistError, Provider, StorageObject, getDriver,
} from "../../src/storage/index.js";
import { startAzurite, type Azurite } from "../helpers/azurite.js";
import { collect } from "../helpers/collect.js";

const MiB = 1024 * 1024;
let azurite: Azurite;
let driver: AzureBlobsStorageDriver;
let workdir: string;
let containerCount = 0;

function newDriver(key?: string): AzureBlobsStorageDriver {
  return new AzureBlobsStorageDriver(azurite.account, key ?? azurite.key, { host: azurite.host, port: azurite.port, secure: false });
}

/** A fresh container per test: Azurite keeps deleted names busy for a while. */
async function freshContainer(d: AzureBlobsStorageDriver = driver): Promise<Container> {
  containerCount += 1;
  return d.createContainer(`test-${process.pid}-${containerCount}`);
}

/** Counts the requests a connection sends. */
function countRequests(d: AzureBlobsStorageDriver): { count: number; methods: string[] } {
  const seen = { count: 0, methods: [] as string[] };
  const original = d.connection.request.bind(d.connection);
  d.connection.request = ((action: string, options: any = {}) => {
    seen.count += 1;
    seen.methods.push(options.method ?? "GET");
    return original(action, options);
  }) as typeof d.connection.request;
  return seen;
}

/** Deterministic pseudo-random bytes, `total` of them in `chunk`-sized Buffers, never held at once. */
async function* generated(total: number, chunk = MiB, seed = "libcloud-ts"): AsyncGenerator<Buffer> {
  let block = createHash("sha512").update(seed).digest();
  const unit = Buffer.alloc(chunk);
  for (let i = 0; i < chunk; i += block.length) {
    block = createHash("sha512").update(block).digest();
    block.copy(unit, i);
  }
  for (let sent = 0, n = 0; sent < total; n += 1) {
    const size = Math.min(chunk, total - sent);
    const out = Buffer.from(unit.subarray(0, size));
    out.writeUInt32BE(n, 0); // every chunk differs
    sent += size;
    yield out;
  }
}


before(async () => {
  azurite = await startAzurite();
  driver = newDriver();
  workdir = await mkdtemp(join(tmpdir(), "libcloud-ts-storage-"));
});

after(async () => {
  await driver?.close();
  await azurite?.stop();
  if (workdir) await rm(workdir, { recursive: true, force: true });
});

describe("AzureBlobsStorageDriver against Azurite", () => {
  it("is found through getDriver(Provider.AZURE_BLOBS)", () => {
    assert.equal(getDriver(Provider.AZURE_BLOBS), AzureBlobsStorageDriver);
    assert.equal(driver.name, "Microsoft Azure (blobs)");
    assert.equal(driver.connection.requestPath, "/devstoreaccount1"); // path-style outside Azure's domains
    assert.equal(new AzureBlobsStorageDriver("acct", azurite.key).connection.host, "acct.blob.core.windows.net");
  });

  it("creates, gets, lists and deletes containers, with typed errors", async () => {
    const container = await freshContainer();
    assert.ok(container instanceof Container);
    const got = await driver.getContainer(container.name);
    assert.equal(got.name, container.name);
    assert.equal(got.extra["etag"], container.extra["etag"]);
    const names = (await driver.listContainers()).map((c) => c.name);
    assert.ok(names.includes(container.name));
    await assert.rejects(driver.createContainer(container.name), (e: unknown) => e instanceof ContainerAlreadyExistsError && e.containerName === container.name);
    await assert.rejects(driver.createContainer("ab"), (e: unknown) => e instanceof InvalidContainerNameError && e.containerName === "ab");
    await assert.rejects(driver.getContainer("no-such-container"), (e: unknown) => e instanceof ContainerDoesNotExistError && e.containerName === "no-such-container");
    await container.uploadObjectViaStream([Buffer.from("x")], "keep");
    await assert.rejects(container.delete(), ContainerIsNotEmptyError);
    const obj = await container.getObject("keep");
    assert.equal(await obj.delete(), true);
    assert.equal(await container.delete(), true);
    await assert.rejects(driver.getContainer(container.name), ContainerDoesNotExistError);
    await assert.rejects(driver.deleteContainer(container), ContainerDoesNotExistError);
  });

  it("downloads a blob stored with Content-Encoding: gzip as its stored bytes (size check holds)", async () => {
    const container = await freshContainer();
    const plain = Buffer.from("compressible ".repeat(5000));
    const stored = gzipSync(plain);
    const uploaded = await container.uploadObjectViaStream([stored], "page.html.gz", {
      extra: { contentType: "text/html" },
      headers: { "Content-Encoding": "gzip" },
    });
    const obj = await container.getObject("page.html.gz");
    assert.equal(obj.size, stored.length);
    assert.equal(obj.extra["contentEncoding"], "gzip");
    const streamed = await collect(await driver.downloadObjectAsStream(obj));
    assert.deepEqual(streamed, stored, "the stored (gzipped) bytes, not a decoded copy");
    const destination = join(workdir, "page.html.gz");
    assert.equal(await driver.downloadObject(obj, destination, { overwriteExisting: true }), true);
    assert.deepEqual(gunzipSync(await readFile(destination)), plain);
    assert.equal(uploaded.size, stored.length);
  });

  it("uploads a small object in one Put Blob, and reads it back with properties and metadata", async () => {
    const container = await freshContainer();
    const seen = countRequests(driver);
    const name = "dir/a file ü+%.txt";
    const uploaded = await container.uploadObjectViaStream([Buffer.from("hello "), Buffer.from("world")], name, {
      extra: { contentType: "text/plain", metaData: { owner: "libcloud-ts" } },
    });
    assert.equal(seen.count, 1);
    assert.equal(uploaded.size, 11);
    assert.equal(uploaded.extra["md5Hash"], createHash("md5").update("hello world").digest("hex"));
    assert.doesNotMatch(uploaded.hash ?? "", /"/);

    seen.count = 0;
    const obj = await driver.getObject(container.name, name);
    assert.equal(seen.count, 1, "getObject is one HEAD request");
    assert.ok(obj instanceof StorageObject);
    assert.equal(obj.name, name);
    assert.equal(obj.size, 11);
    assert.equal(obj.hash, uploaded.hash, "same ETag form after upload and in getObject");
    assert.deepEqual(obj.metaData, { owner: "libcloud-ts" });
    assert.equal(obj.extra["contentType"], "text/plain");
    assert.equal(obj.extra["md5Hash"], uploaded.extra["md5Hash"]);
    assert.equal(obj.container.name, container.name);

    const listed = await container.listObjects();
    assert.deepEqual(listed.map((o) => [o.name, o.size, o.hash]), [[name, 11, uploaded.hash]], "same ETag form in listings");
    assert.deepEqual(listed[0]!.metaData, { owner: "libcloud-ts" });

    assert.equal((await collect(await obj.asStream())).toString(), "hello world");
    const chunks: Buffer[] = [];
    for await (const chunk of await driver.downloadObjectAsStream(obj, { chunkSize: 4 })) chunks.push(chunk);
    assert.deepEqual(chunks.map((c) => c.length), [4, 4, 3]);
  });

  it("lists objects by prefix", async () => {
    const container = await freshContainer();
    for (const name of ["a/1", "a/2", "b/1"]) await container.uploadObjectViaStream([Buffer.from(name)], name);
    assert.deepEqual((await container.listObjects({ prefix: "a/" })).map((o) => o.name), ["a/1", "a/2"]);
    assert.deepEqual((await driver.listContainerObjects(container, { prefix: "b" })).map((o) => o.name), ["b/1"]);
    assert.deepEqual(await driver.listContainerObjects(container, { prefix: "zzz" }), []);
  });

  it("follows NextMarker across pages of containers and objects", async () => {
    const paged = newDriver();
    paged.responsesPerRequest = 2;
    const container = await freshContainer(paged);
    const names = Array.from({ length: 7 }, (_, i) => `obj-${i}`);
    await Promise.all(names.map((n) => container.uploadObjectViaStream([Buffer.from(n)], n)));
    const seen = countRequests(paged);
    const listed: string[] = [];
    for await (const obj of paged.iterateContainerObjects(container)) listed.push(obj.name);
    assert.deepEqual(listed, names);
    assert.equal(seen.count, 4, "7 objects at 2 a page: 4 pages");

    for (let i = 0; i < 4; i += 1) await freshContainer(paged);
    seen.count = 0;
    const containers = await paged.listContainers();
    assert.ok(containers.length >= 5);
    assert.equal(new Set(containers.map((c) => c.name)).size, containers.length, "no container twice");
    assert.ok(seen.count >= 3, `containers listed in ${seen.count} pages`);
    await paged.close();
  });

  it("uploads a file in blocks, downloads it to a file, and keeps existing files unless told to overwrite", async () => {
    const container = await freshContainer();
    const blocky = newDriver();
    blocky.uploadChunkSize = MiB;
    const source = join(workdir, "source.bin");
    const data = randomBytes(3 * MiB + 12345);
    await writeFile(source, data);
    const seen = countRequests(blocky);
    const uploaded = await blocky.uploadObject(source, container, "blocks.bin", { extra: { metaData: { kind: "file" } } });
    assert.equal(seen.count, 5, "4 Put Block + 1 Put Block List");
    assert.equal(uploaded.size, data.length);
    const obj = await driver.getObject(container.name, "blocks.bin");
    assert.equal(obj.size, data.length);
    assert.equal(obj.extra["md5Hash"], createHash("md5").update(data).digest("hex"), "the object's MD5 is stored with it");
    assert.deepEqual(obj.metaData, { kind: "file" });

    const target = join(workdir, "downloaded.bin");
    assert.equal(await obj.download(target), true);
    assert.ok((await readFile(target)).equals(data));
    await writeFile(target, "precious");
    await assert.rejects(obj.download(target), /already exists/);
    assert.equal(await readFile(target, "utf8"), "precious", "existing file untouched");
    assert.equal(await driver.downloadObject(obj, target, { overwriteExisting: true }), true);
    assert.ok((await readFile(target)).equals(data));
    const dir = join(workdir, "into-dir");
    await rm(dir, { recursive: true, force: true });
    await (await import("node:fs/promises")).mkdir(dir);
    await obj.download(dir);
    assert.ok((await readFile(join(dir, "blocks.bin"))).equals(data), "a directory receives the object's name");
    assert.deepEqual((await readdir(workdir)).filter((f) => f.endsWith(".part")), [], "no temporary files left");
    await blocky.close();
  });

  it("deletes objects, then reports them missing", async () => {
    const container = await freshContainer();
    const obj = await container.uploadObjectViaStream([Buffer.from("bye")], "gone");
    assert.equal(await container.deleteObject(obj), true);
    await assert.rejects(driver.getObject(container.name, "gone"), (e: unknown) => e instanceof ObjectDoesNotExistError && e.objectName === "gone");
    await assert.rejects(driver.deleteObject(obj), ObjectDoesNotExistError);
    await assert.rejects(driver.downloadObjectAsStream(obj), ObjectDoesNotExistError);
    await assert.rejects(obj.download(join(workdir, "never")), ObjectDoesNotExistError);
    await assert.rejects(readFile(join(workdir, "never")), { code: "ENOENT" });
    await assert.rejects(driver.getObject("no-such-container", "x"), ContainerDoesNotExistError);
  });

  it("copies an object server-side and polls x-ms-copy-status", async () => {
    const container = await freshContainer();
    const target = await freshContainer();
    const obj = await container.uploadObjectViaStream([Buffer.from("copy me")], "src", { extra: { metaData: { a: "1" } } });
    const copy = await driver.copyObject(obj, target, "dst/copy");
    assert.equal(copy.name, "dst/copy");
    assert.equal(copy.container.name, target.name);
    assert.equal(copy.size, 7);
    assert.deepEqual(copy.metaData, { a: "1" });
    assert.equal((await collect(await copy.asStream())).toString(), "copy me");
  });

  it("signs concurrent uploads on one driver independently", async () => {
    const container = await freshContainer();
    const concurrent = newDriver();
    concurrent.uploadChunkSize = 256 * 1024;
    const bodies = Array.from({ length: 12 }, (_, i) => randomBytes(i % 3 === 0 ? 700 * 1024 : 1000 + i));
    const objects = await Promise.all(bodies.map((body, i) =>
      concurrent.uploadObjectViaStream((async function* () { yield body.subarray(0, 100); yield body.subarray(100); })(), container, `c/${i} ü`, {
        extra: { metaData: { index: String(i) } },
      })));
    const back = await Promise.all(objects.map(async (o) => collect(await concurrent.downloadObjectAsStream(o))));
    back.forEach((b, i) => assert.ok(b.equals(bodies[i]!), `object ${i}`));
    const listed = await concurrent.listContainerObjects(container);
    assert.equal(listed.length, bodies.length);
    for (const o of listed) assert.equal(o.metaData["index"], o.name.replace(/^c\/(\d+) ü$/, "$1"));
    await concurrent.close();
  });

  it("fails an upload whose source fails, leaving no blob", async () => {
    const container = await freshContainer();
    async function* failing(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 5; i += 1) yield Buffer.alloc(MiB, i);
      throw new Error("source failed");
    }
    await assert.rejects(container.uploadObjectViaStream(failing(), "half"), /source failed/);
    await assert.rejects(container.getObject("half"), ObjectDoesNotExistError, "uncommitted blocks are not a blob");
  });

  it("interoperates with Microsoft's own SDK (@azure/storage-blob) both ways", async () => {
    const { StorageSharedKeyCredential, BlobServiceClient } = await import("@azure/storage-blob");
    const sdk = new BlobServiceClient(azurite.blobEndpoint, new StorageSharedKeyCredential(azurite.account, azurite.key));
    const container = await freshContainer();
    const ours = randomBytes(5 * MiB + 7);
    await container.uploadObjectViaStream([ours], "from-libcloud-ts", { extra: { contentType: "application/x-test", metaData: { by: "libcloud-ts" } } });
    const blob = sdk.getContainerClient(container.name).getBlockBlobClient("from-libcloud-ts");
    assert.ok((await blob.downloadToBuffer()).equals(ours));
    const props = await blob.getProperties();
    assert.equal(props.contentType, "application/x-test");
    assert.deepEqual(props.metadata, { by: "libcloud-ts" });
    assert.equal(Buffer.from(props.contentMD5!).toString("hex"), createHash("md5").update(ours).digest("hex"));

    const theirs = randomBytes(3 * MiB + 1);
    await sdk.getContainerClient(container.name).getBlockBlobClient("from sdk/ü").uploadData(theirs, { blockSize: MiB, maxSingleShotSize: MiB, metadata: { by: "sdk" } });
    const obj = await driver.getObject(container.name, "from sdk/ü");
    assert.equal(obj.size, theirs.length);
    assert.deepEqual(obj.metaData, { by: "sdk" });
    assert.ok((await collect(await obj.asStream())).equals(theirs));
  });

  it("turns a wrong key into InvalidCredsError (bodies and bodiless HEADs)", async () => {
    const wrong = newDriver(Buffer.from("not the key of this account, not at all".repeat(2)).toString("base64"));
    await assert.rejects(wrong.listContainers(), (e: unknown) => e instanceof InvalidCredsError && /AuthorizationFailure/.test(e.message));
    await assert.rejects(wrong.getObject("any", "thing"), InvalidCredsError);
    await assert.rejects(wrong.uploadObjectViaStream([Buffer.from("x")], new Container("any", {}, wrong), "x"), InvalidCredsError);
    await wrong.close();
  });

  it("streams 64 MiB up and down with equal SHA-256 in bounded memory", async () => {
    const container = await freshContainer();
    const size = 64 * MiB;
    const sourceHash = createHash("sha256");
    let pulled = 0;
    let acknowledged = 0;
    let maxAhead = 0;
    // One collection first, so the baseline holds no garbage from the tests before.
    setFlagsFromString("--expose-gc");
    (runInNewContext("gc") as () => void)();
    const start = process.memoryUsage();
    const baseline = start.rss;
    let peak = baseline;
    let peakBuffers = start.arrayBuffers;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peak = Math.max(peak, now.rss);
      peakBuffers = Math.max(peakBuffers, now.arrayBuffers);
    }, 10);
    try {
      async function* hashed(): AsyncGenerator<Buffer> {
        for await (const chunk of generated(size)) {
          sourceHash.update(chunk);
          pulled += chunk.length;
          maxAhead = Math.max(maxAhead, pulled - acknowledged);
          yield chunk;
        }
      }
      const uploaded = await container.uploadObjectViaStream(hashed(), "big.bin", { onProgress: ({ loadedBytes }) => { acknowledged = loadedBytes; } });
      // What the driver can hold: the bytes it has read but the service has not yet acknowledged.
      // The blocks being sent, one waiting, one being filled (4 MiB each), and the piece being copied.
      assert.ok(maxAhead <= (driver.uploadConcurrency + 2) * 4 * MiB + MiB, `the upload read ${maxAhead} bytes ahead of the service`);
      assert.equal(uploaded.size, size);
      const sourceDigest = sourceHash.digest("hex");
      const obj = await container.getObject("big.bin");
      assert.equal(obj.size, size);
      const downHash = createHash("sha256");
      let received = 0;
      for await (const chunk of await obj.asStream()) {
        downHash.update(chunk);
        received += chunk.length;
      }
      assert.equal(received, size);
      assert.equal(downHash.digest("hex"), sourceDigest);
      const target = join(workdir, "big.bin");
      await obj.download(target);
      const fileHash = createHash("sha256");
      for await (const chunk of createReadStream(target)) fileHash.update(chunk as Buffer);
      assert.equal(fileHash.digest("hex"), sourceDigest);
      await rm(target);
    } finally {
      clearInterval(sampler);
    }
    const growth = (peak - baseline) / MiB;
    const buffers = (peakBuffers - start.arrayBuffers) / MiB;
    // Buffer memory (live plus garbage awaiting collection) is logged, not asserted: it follows
    // V8's collection schedule. The bound that matters is above (bytes held) and RSS here.
    console.log(`64 MiB round trip: RSS baseline ${(baseline / MiB).toFixed(1)} MiB, peak ${(peak / MiB).toFixed(1)} MiB `
      + `(growth ${growth.toFixed(1)} MiB); Buffer memory growth ${buffers.toFixed(1)} MiB; upload read at most ${(maxAhead / MiB).toFixed(1)} MiB ahead`);
    assert.ok(growth < 64, `RSS grew by ${growth.toFixed(1)} MiB for a 64 MiB round trip`);
  });
});
