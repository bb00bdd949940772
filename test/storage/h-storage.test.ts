// RELIABILITY H2, H5 and H12 for storage: names are never paths (on Azurite), an upload never
// replaces a good object with a bad one (on Azurite), downloads are verified end to end (loopback
// servers that misbehave as Azurite never does).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { appendFile, mkdir, mkdtemp, readFile, readdir, rm, truncate, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  AzureBlobsStorageDriver, Container, DownloadIncompleteError, InvalidContainerNameError, InvalidObjectNameError, ObjectDoesNotExistError,
  ObjectHashMismatchError, StorageObject, UploadError, checkContainerName, checkObjectName,
} from "../../src/storage/index.js";
import { startAzurite, type Azurite } from "../helpers/azurite.js";
import { startServer, type TestServer } from "../helpers/server.js";
import { collect } from "../helpers/collect.js";

const KiB = 1024;
let azurite: Azurite;
let driver: AzureBlobsStorageDriver;
let workdir: string;
let uploads: Container;
let privateC: Container;
const PAYROLL = Buffer.from("name,salary\nalice,100\nbob,200\n");

function newDriver(): AzureBlobsStorageDriver {
  return new AzureBlobsStorageDriver(azurite.account, azurite.key, { host: azurite.host, port: azurite.port, secure: false });
}

/** Counts the requests a driver's connection sends. */
function countRequests(d: AzureBlobsStorageDriver): { count: number } {
  const seen = { count: 0 };
  const original = d.connection.request.bind(d.connection);
  d.connection.request = ((action: string, options?: Record<string, unknown>) => {
    seen.count += 1;
    return original(action, options);
  }) as typeof d.connection.request;
  return seen;
}


async function payrollIntact(): Promise<void> {
  const obj = await driver.getObject(privateC.name, "payroll.csv");
  assert.deepEqual(await collect(await obj.asStream()), PAYROLL, "private/payroll.csv is unchanged");
}

before(async () => {
  azurite = await startAzurite();
  driver = newDriver();
  workdir = await mkdtemp(join(tmpdir(), "libcloud-ts-h-storage-"));
  uploads = await driver.createContainer(`uploads-${process.pid}`);
  privateC = await driver.createContainer(`private-${process.pid}`);
  await privateC.uploadObjectViaStream([PAYROLL], "payroll.csv");
});

after(async () => {
  await driver?.close();
  await azurite?.stop();
  if (workdir) await rm(workdir, { recursive: true, force: true });
});

describe("H2: an object or container name is a name, never a path (Azurite)", () => {
  const traversal = (): string[] => {
    const p = privateC.name;
    return [
      `../${p}/payroll.csv`, `./../${p}/payroll.csv`, `/../${p}/payroll.csv`, `a/../../${p}/payroll.csv`, `..`, `.`, `/`,
      `..\\${p}\\payroll.csv`, `payroll.csv\0`, `a//b`, `/${p}/payroll.csv`, `\uD800x`,
    ];
  };

  it("H2: refuses traversal names on every object method with InvalidObjectNameError, before a byte is sent", async () => {
    const d = newDriver();
    const seen = countRequests(d);
    try {
      const source = await d.getObject(privateC.name, "payroll.csv");
      const sent = seen.count;
      const file = join(workdir, "h2-src.txt");
      await writeFile(file, "evil");
      for (const name of traversal()) {
        const forged = new StorageObject({ name, size: PAYROLL.length, hash: null, container: new Container(uploads.name, {}, d), driver: d });
        const is = (e: unknown): boolean => e instanceof InvalidObjectNameError && e.objectName === name;
        await assert.rejects(d.getObject(uploads.name, name), is, `getObject ${JSON.stringify(name)}`);
        await assert.rejects(d.downloadObject(forged, join(workdir, "h2-out.bin"), { overwriteExisting: true }), is);
        await assert.rejects(d.downloadObjectAsStream(forged), is);
        await assert.rejects(d.downloadObjectRange(forged, join(workdir, "h2-out.bin"), 0, 4), is);
        await assert.rejects(d.downloadObjectRangeAsStream(forged, 0, 4), is);
        await assert.rejects(d.deleteObject(forged), is);
        await assert.rejects(d.uploadObjectViaStream([Buffer.from("evil")], uploads, name), is);
        await assert.rejects(d.uploadObject(file, uploads, name), is);
        await assert.rejects(d.copyObject(source, uploads, name), is);
        await assert.rejects(d.copyObject(forged, uploads, "fine"), is);
      }
      assert.equal(seen.count, sent, "no request was sent for a refused name");
      await payrollIntact();
    } finally {
      await d.close();
    }
  });

  it("H2: refuses container names that are paths with InvalidContainerNameError, before a byte is sent", async () => {
    const d = newDriver();
    const seen = countRequests(d);
    try {
      for (const name of [`..`, `.`, ``, `${uploads.name}/../${privateC.name}`, `../${privateC.name}`, `a\\b`, `x\0`]) {
        const is = (e: unknown): boolean => e instanceof InvalidContainerNameError;
        const container = new Container(name, {}, d);
        const obj = new StorageObject({ name: "payroll.csv", size: 1, hash: null, container, driver: d });
        await assert.rejects(d.getContainer(name), is);
        await assert.rejects(d.createContainer(name), is);
        await assert.rejects(d.deleteContainer(container), is);
        await assert.rejects(d.listContainerObjects(container), is);
        await assert.rejects(d.getObject(name, "payroll.csv"), is);
        await assert.rejects(d.downloadObjectAsStream(obj), is);
        await assert.rejects(d.deleteObject(obj), is);
        await assert.rejects(d.uploadObjectViaStream([Buffer.from("x")], container, "payroll.csv"), is);
      }
      assert.equal(seen.count, 0);
      await payrollIntact();
    } finally {
      await d.close();
    }
  });

  it("H2: percent-encoded traversal is sent encoded and stored literally: it never reaches the other container", async () => {
    const p = privateC.name;
    const names = [`..%2F${p}%2Fpayroll.csv`, `%2E%2E/${p}/payroll.csv`, `%2E%2E%2F${p}%2Fpayroll.csv`, `%2e%2e%2f${p}%2fpayroll.csv`, `a?b#c`, `%00`];
    for (const name of names) {
      await assert.rejects(driver.getObject(uploads.name, name), ObjectDoesNotExistError, `getObject ${name} reads nothing`);
      const forged = new StorageObject({ name, size: PAYROLL.length, hash: null, container: uploads, driver });
      await assert.rejects(driver.downloadObjectAsStream(forged), ObjectDoesNotExistError);
      await assert.rejects(driver.deleteObject(forged), ObjectDoesNotExistError);
      await payrollIntact();
      // Written, it is an object of `uploads` under exactly that name.
      const up = await driver.uploadObjectViaStream([Buffer.from(`literal ${name}`)], uploads, name);
      assert.equal(up.name, name);
      const back = await driver.getObject(uploads.name, name);
      assert.deepEqual(await collect(await back.asStream()), Buffer.from(`literal ${name}`));
      await payrollIntact();
    }
    const listed = (await uploads.listObjects()).map((o) => o.name).sort();
    assert.deepEqual(listed, [...names].sort(), "the listing shows each name literally");
    for (const obj of await uploads.listObjects()) await obj.delete();
    // A container name with %2E%2E is one (invalid) name to the service, never "..".
    await assert.rejects(driver.getObject("%2E%2E", `${p}/payroll.csv`));
    await assert.rejects(driver.getObject(`${uploads.name}%2F..`, `${p}/payroll.csv`));
    await payrollIntact();
  });

  it("H2: downloading into a directory never writes outside it; a legal 255-byte name downloads", async () => {
    const dir = join(workdir, "h2-dir");
    await mkdir(dir, { recursive: true });
    const before = (await readdir(workdir)).sort();
    for (const name of ["..", "../escaped.txt", "/tmp/escaped.txt", "a/..", "x/../../escaped.txt"]) {
      const forged = new StorageObject({ name, size: 4, hash: null, container: uploads, driver });
      await assert.rejects(driver.downloadObject(forged, dir, { overwriteExisting: true }), InvalidObjectNameError);
    }
    assert.deepEqual((await readdir(workdir)).sort(), before, "nothing appeared next to the directory");
    assert.deepEqual(await readdir(dir), []);
    const long = "n".repeat(255);
    const obj = await driver.uploadObjectViaStream([Buffer.from("long name")], uploads, `deep/${long}`);
    assert.equal(await driver.downloadObject(obj, dir), true);
    assert.deepEqual(await readdir(dir), [long]);
    assert.equal(await readFile(join(dir, long), "utf8"), "long name");
    await obj.delete();
  });

  it("H2: the checks themselves (libcloud-ts/storage exports them for every driver)", () => {
    assert.equal(checkObjectName("a/b/c.txt"), "a/b/c.txt");
    assert.equal(checkObjectName("folder/"), "folder/");
    assert.equal(checkObjectName("..."), "...");
    assert.equal(checkObjectName("%2E%2E"), "%2E%2E");
    assert.throws(() => checkObjectName("a\0"), InvalidObjectNameError);
    assert.throws(() => checkObjectName(""), InvalidObjectNameError);
    assert.throws(() => checkObjectName(42 as unknown as string), InvalidObjectNameError);
    assert.equal(checkContainerName("my-container"), "my-container");
    assert.throws(() => checkContainerName("a/b"), InvalidContainerNameError);
  });
});

/** A good object, and a check that it is still exactly that. */
async function goodObject(name: string, size: number): Promise<{ hash: string; intact: () => Promise<void> }> {
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) data[i] = (i * 7) % 251;
  await uploads.uploadObjectViaStream([data], name);
  const hash = createHash("sha256").update(data).digest("hex");
  return {
    hash,
    intact: async () => {
      const obj = await driver.getObject(uploads.name, name);
      assert.equal(obj.size, size, `${name} keeps its size`);
      assert.equal(createHash("sha256").update(await collect(await obj.asStream())).digest("hex"), hash, `${name} keeps its bytes`);
    },
  };
}

describe("H5: an upload never replaces a good object with a bad one (Azurite)", () => {
  const small = (): AzureBlobsStorageDriver => {
    const d = newDriver();
    d.uploadChunkSize = 64 * KiB; // many blocks from a small file
    return d;
  };

  for (const [what, mutate, pattern] of [
    ["shrinks", (file: string) => truncate(file, 100 * KiB), /shrank/],
    ["grows", (file: string) => appendFile(file, Buffer.alloc(3 * 1024 * KiB, 9)), /grew/],
    ["disappears", (file: string) => unlink(file), /disappeared/],
  ] as const) {
    it(`H5: a source file that ${what} while it is read fails with UploadError and commits nothing`, async () => {
      const name = `h5-file-${what}`;
      const good = await goodObject(name, 200 * KiB);
      const file = join(workdir, `${name}.bin`);
      await writeFile(file, Buffer.alloc(3 * 1024 * KiB, 1));
      const d = small();
      try {
        let mutated = false;
        await assert.rejects(d.uploadObject(file, uploads, name, {
          onProgress: () => {
            if (!mutated) {
              mutated = true;
              void mutate(file);
            }
          },
        }), (e: unknown) => e instanceof UploadError && pattern.test(e.message) && e.objectName === name);
        assert.ok(mutated);
        await good.intact();
      } finally {
        await d.close();
        await rm(file, { force: true });
      }
    });
  }

  it("H5: a source iterable that throws leaves the existing object unchanged", async () => {
    const good = await goodObject("h5-throws", 100 * KiB);
    const d = small();
    try {
      async function* failing(): AsyncGenerator<Buffer> {
        for (let i = 0; i < 5; i += 1) yield Buffer.alloc(64 * KiB, 2);
        throw new Error("source broke");
      }
      await assert.rejects(d.uploadObjectViaStream(failing(), uploads, "h5-throws"), /source broke/);
      await good.intact();
      // The single Put Blob path too (less than one block).
      async function* failingSmall(): AsyncGenerator<Buffer> {
        yield Buffer.alloc(10, 2);
        throw new Error("small source broke");
      }
      await assert.rejects(d.uploadObjectViaStream(failingSmall(), uploads, "h5-throws"), /small source broke/);
      await good.intact();
    } finally {
      await d.close();
    }
  });

  it("H5: an abort mid-upload leaves the existing object unchanged", async () => {
    const good = await goodObject("h5-abort", 100 * KiB);
    const d = small();
    try {
      const controller = new AbortController();
      async function* endless(): AsyncGenerator<Buffer> {
        for (let i = 0; i < 64; i += 1) yield Buffer.alloc(64 * KiB, 3);
      }
      await assert.rejects(
        d.uploadObjectViaStream(endless(), uploads, "h5-abort", { signal: controller.signal, onProgress: () => controller.abort() }),
        (e: unknown) => (e as Error).name === "AbortError",
      );
      await good.intact();
    } finally {
      await d.close();
    }
  });

  it("H5: an abort cancels the upload while it waits on a stalled source", async () => {
    const good = await goodObject("h5-stall", 100 * KiB);
    const d = small();
    let release: () => void = () => {};
    const stalled = new Promise<void>((resolve) => { release = resolve; });
    let returned = false;
    try {
      const controller = new AbortController();
      async function* stalling(): AsyncGenerator<Buffer> {
        try {
          for (let i = 0; i < 3; i += 1) yield Buffer.alloc(64 * KiB, 4);
          await stalled; // never ends by itself
          yield Buffer.alloc(1);
        } finally {
          returned = true;
        }
      }
      const timer = setTimeout(() => controller.abort(), 300);
      const started = Date.now();
      await assert.rejects(d.uploadObjectViaStream(stalling(), uploads, "h5-stall", { signal: controller.signal }),
        (e: unknown) => (e as Error).name === "AbortError");
      clearTimeout(timer);
      assert.ok(Date.now() - started < 3000, `the abort ended the upload in ${Date.now() - started} ms`);
      await good.intact();
    } finally {
      release();
      await new Promise((r) => setTimeout(r, 20));
      assert.ok(returned, "the stalled source was told to stop");
      await d.close();
    }
  });
});

describe("H12: downloads are verified end to end (loopback)", () => {
  const body = Buffer.from("0123456789");
  const md5 = createHash("md5").update(body).digest("base64");
  type Reply = { status?: number; headers: Record<string, string>; data: Buffer; chunked?: boolean };
  let server: TestServer;
  let reply: Reply;
  let d: AzureBlobsStorageDriver;

  before(async () => {
    server = await startServer((_req, res) => {
      const headers: Record<string, string> = { ...reply.headers };
      if (reply.chunked !== true) headers["content-length"] ??= String(reply.data.length);
      res.writeHead(reply.status ?? 200, headers);
      res.end(reply.data);
    });
    d = new AzureBlobsStorageDriver("acct", Buffer.from("k").toString("base64"), { host: "127.0.0.1", port: server.port, secure: false });
  });
  after(async () => {
    await d?.close();
    await server?.close();
  });

  const object = (size = body.length): StorageObject => new StorageObject({ name: "o.bin", size, hash: null, container: new Container("c", {}, d), driver: d });

  const cases: Array<[string, Reply, number]> = [
    ["fewer bytes, no Content-Length", { headers: {}, data: body.subarray(0, 6), chunked: true }, 10],
    ["more bytes, no Content-Length", { headers: {}, data: Buffer.concat([body, body]), chunked: true }, 10],
    ["a Content-Length that contradicts the object's size (fewer)", { headers: {}, data: body.subarray(0, 6) }, 10],
    ["a Content-Length that contradicts the object's size (more)", { headers: {}, data: Buffer.concat([body, Buffer.from("xx")]) }, 10],
  ];
  for (const [what, r, size] of cases) {
    it(`H12: ${what} → DownloadIncompleteError, nothing saved; the stream fails at its end`, async () => {
      reply = r;
      const target = join(workdir, "h12.bin");
      await assert.rejects(d.downloadObject(object(size), target), DownloadIncompleteError);
      await assert.rejects(readFile(target), { code: "ENOENT" });
      assert.deepEqual((await readdir(workdir)).filter((f) => f.endsWith(".part")), []);
      // Known from the headers, it fails before the stream is handed over; else at the stream's end.
      await assert.rejects(async () => collect(await d.downloadObjectAsStream(object(size))), DownloadIncompleteError);
    });
  }

  it("H12: bytes contradicting a whole-object Content-MD5 → ObjectHashMismatchError, nothing saved", async () => {
    reply = { headers: { "content-md5": md5 }, data: Buffer.from("0123456780") };
    const target = join(workdir, "h12-md5.bin");
    await assert.rejects(d.downloadObject(object(), target), ObjectHashMismatchError);
    await assert.rejects(readFile(target), { code: "ENOENT" });
    await assert.rejects(collect(await d.downloadObjectAsStream(object())), ObjectHashMismatchError);
    reply = { headers: { "content-md5": md5 }, data: body };
    assert.equal(await d.downloadObject(object(), target), true);
    assert.deepEqual(await readFile(target), body);
    assert.deepEqual(await collect(await d.downloadObjectAsStream(object())), body);
    await rm(target);
  });
});
