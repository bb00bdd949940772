// One storage contract for every driver: the same calls, the same typed errors, the same streaming
// memory bound and the storage scenarios of RELIABILITY (M3, M4, M6, M11, M12, H2, H5, H12), run by
// each driver's own test file against its real server. A new driver gets this suite for free: it
// supplies a ContractTarget.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile, readdir, truncate, writeFile, mkdtemp, rm, open } from "node:fs/promises";
import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { InvalidCredsError, LibcloudError } from "../../src/index.js";
import {
  ContainerAlreadyExistsError, ContainerDoesNotExistError, ContainerIsNotEmptyError, ObjectDoesNotExistError, StorageObject,
  type Container, type StorageDriver,
} from "../../src/storage/index.js";
import { collect } from "../helpers/collect.js";

const MiB = 1024 * 1024;

/** A running server and how to make drivers for it. */
export interface ContractServer {
  /** A driver for the server, or for the same server at another port (a fault-injecting proxy). */
  makeDriver(options?: { port?: number; wrongSecret?: boolean }): StorageDriver;
  host: string;
  port: number;
  /** A port with no in-process middleman (the S3 tests' verifying front buffers bodies): for memory measurements. */
  directPort?: number;
  stop(): Promise<void>;
}

/** A driver under contract. */
export interface ContractTarget {
  name: string;
  start(): Promise<ContractServer>;
  /** Sets the listing page size (to prove pagination with few objects). */
  setPageSize(driver: StorageDriver, size: number): void;
  /** The upload part or block size, bytes (objects above it are uploaded in parts). */
  partSize(driver: StorageDriver): number;
  /**
   * Contract items this driver is known to fail today, by id ("H2", "ranges" …), with why: they
   * still run, and report, as `todo` (so the suite stays green while the fix is in flight).
   */
  knownFailures?: Readonly<Record<string, string>>;
}

/** A TCP proxy that can cut a response after N bytes, by RST or FIN (M3, M4). */
interface CuttingProxy {
  port: number;
  cut: { afterBytes: number; how: "rst" | "fin" } | undefined;
  close(): Promise<void>;
}

async function cuttingProxy(targetPort: number): Promise<CuttingProxy> {
  const sockets = new Set<Socket>();
  const proxy: CuttingProxy = { port: 0, cut: undefined, close: async () => {} };
  const server: Server = createServer((client) => {
    sockets.add(client);
    const upstream = connect({ host: "127.0.0.1", port: targetPort });
    sockets.add(upstream);
    let received = 0;
    client.on("data", (d) => upstream.write(d));
    upstream.on("data", (d: Buffer) => {
      const cut = proxy.cut;
      if (cut !== undefined && received + d.length > cut.afterBytes) {
        client.write(d.subarray(0, Math.max(0, cut.afterBytes - received)));
        if (cut.how === "rst") client.resetAndDestroy();
        else client.end();
        upstream.destroy();
        return;
      }
      received += d.length;
      client.write(d);
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  proxy.port = (server.address() as AddressInfo).port;
  proxy.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return proxy;
}

/** Deterministic bytes, `total` in `chunk`-sized Buffers, never held at once. */
async function* generated(total: number, chunk = MiB, seed = 1): AsyncGenerator<Buffer> {
  for (let sent = 0, n = 0; sent < total; n++) {
    const size = Math.min(chunk, total - sent);
    const out = Buffer.alloc(size, (seed * 31 + n) & 0xff);
    out.writeUInt32BE(n, 0);
    sent += size;
    yield out;
  }
}

async function md5Of(iterable: AsyncIterable<Buffer>): Promise<{ md5: string; bytes: number }> {
  const hash = createHash("md5");
  let bytes = 0;
  for await (const c of iterable) {
    hash.update(c);
    bytes += c.length;
  }
  return { md5: hash.digest("hex"), bytes };
}


/** Runs the storage contract for one driver on its real server. */
export function runStorageContract(target: ContractTarget): void {
  describe(`storage contract: ${target.name}`, () => {
    let server: ContractServer;
    let driver: StorageDriver;
    let dir: string;
    let count = 0;
    const item = (id: string, title: string, fn: () => Promise<void>): void => {
      const known = target.knownFailures?.[id];
      it(title, known === undefined ? {} : { todo: `known failure: ${known}` }, fn);
    };
    const fresh = (): Promise<Container> => driver.createContainer(`contract-${process.pid % 10000}-${++count}`);

    before(async () => {
      server = await target.start();
      driver = server.makeDriver();
      dir = await mkdtemp(join(tmpdir(), "libcloud-ts-contract-"));
    });

    after(async () => {
      await (driver as unknown as { close?: () => Promise<void> })?.close?.();
      await server?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    item("containers", "containers: created, fetched, listed across pages, deleted, with the typed errors", async () => {
      const a = await fresh();
      const b = await fresh();
      await assert.rejects(driver.createContainer(a.name), ContainerAlreadyExistsError);
      assert.equal((await driver.getContainer(a.name)).name, a.name);
      await assert.rejects(driver.getContainer(`${a.name}-missing`), ContainerDoesNotExistError);
      const names = (await driver.listContainers()).map((c) => c.name);
      assert.ok(names.includes(a.name) && names.includes(b.name));
      await driver.uploadObjectViaStream([Buffer.from("x")], a, "keep");
      await assert.rejects(driver.deleteContainer(a), ContainerIsNotEmptyError);
      await driver.deleteObject(await driver.getObject(a.name, "keep"));
      assert.equal(await driver.deleteContainer(a), true);
      await assert.rejects(driver.getContainer(a.name), ContainerDoesNotExistError);
    });

    item("objects", "objects: metadata and content type round trip; listing with prefix and pagination; missing object and container typed", async () => {
      const c = await fresh();
      const names = ["a/1", "a/2", "a/3", "b/1", "ünï cödé/ß"];
      for (const name of names) await driver.uploadObjectViaStream([Buffer.from(name)], c, name, { extra: { contentType: "text/x-contract", metaData: { k: "v" } } });
      target.setPageSize(driver, 2);
      try {
        assert.deepEqual((await driver.listContainerObjects(c)).map((o) => o.name).sort(), [...names].sort());
        assert.deepEqual((await driver.listContainerObjects(c, { prefix: "a/" })).map((o) => o.name).sort(), ["a/1", "a/2", "a/3"]);
      } finally {
        target.setPageSize(driver, 100);
      }
      const obj = await driver.getObject(c.name, "ünï cödé/ß");
      assert.equal(obj.size, Buffer.byteLength("ünï cödé/ß"));
      assert.equal(obj.extra["contentType"], "text/x-contract");
      assert.deepEqual(obj.metaData, { k: "v" });
      await assert.rejects(driver.getObject(c.name, "missing"), ObjectDoesNotExistError);
      await assert.rejects(driver.getObject(`${c.name}-missing`, "x"), ContainerDoesNotExistError);
      await assert.rejects(driver.deleteObject(new StorageObject({ name: "missing", size: 0, hash: null, container: c, driver })), ObjectDoesNotExistError);
    });

    item("creds", "a wrong secret is InvalidCredsError", async () => {
      const wrong = server.makeDriver({ wrongSecret: true });
      try {
        await assert.rejects(wrong.listContainers(), InvalidCredsError);
      } finally {
        await (wrong as unknown as { close?: () => Promise<void> }).close?.();
      }
    });

    item("M6", "M6: an upload from an async iterator of unknown length (several parts) stores exactly its bytes; hash computed while sending", async () => {
      const c = await fresh();
      const total = 3 * target.partSize(driver) + 12345;
      const expected = await md5Of(generated(total, 300_000, 6));
      const obj = await driver.uploadObjectViaStream(generated(total, 300_000, 6), c, "m6");
      assert.equal(obj.size, total);
      assert.equal(obj.extra["md5Hash"], expected.md5);
      assert.deepEqual(await md5Of(await driver.downloadObjectAsStream(await driver.getObject(c.name, "m6"))), expected);
    });

    item("memory", "streaming memory bound: a 64 MiB upload and download stay under 48 MiB of buffers", async () => {
      const direct = server.directPort === undefined ? driver : server.makeDriver({ port: server.directPort });
      const c = await direct.createContainer(`contract-${process.pid % 10000}-${++count}`);
      const total = 64 * MiB;
      // Live buffers, not garbage the collector has yet to reach (a loaded machine lags behind):
      // a full collection before each sample.
      setFlagsFromString("--expose-gc");
      const gc = runInNewContext("gc") as () => void;
      gc();
      let peak = 0;
      const base = process.memoryUsage().arrayBuffers;
      const timer = setInterval(() => {
        gc();
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
      }, 20);
      try {
        await direct.uploadObjectViaStream(generated(total, MiB, 64), c, "big");
        const got = await md5Of(await direct.downloadObjectAsStream(await direct.getObject(c.name, "big")));
        assert.equal(got.bytes, total);
      } finally {
        clearInterval(timer);
        if (direct !== driver) await (direct as unknown as { close?: () => Promise<void> }).close?.();
      }
      assert.ok(peak < 48 * MiB, `peak live buffers ${(peak / MiB).toFixed(1)} MiB`);
      console.log(`${target.name}: peak live buffers ${(peak / MiB).toFixed(1)} MiB for 64 MiB up and down`);
    });

    item("ranges", "ranges: downloadObjectRange[AsStream] return exactly [start, end) (M4: the length is checked)", async () => {
      const c = await fresh();
      const body = Buffer.from("0123456789abcdefghij");
      const obj = await driver.uploadObjectViaStream([body], c, "r");
      const ranged = driver as unknown as {
        downloadObjectRangeAsStream(o: StorageObject, s: number, e?: number): Promise<AsyncIterable<Buffer>>;
        downloadObjectRange(o: StorageObject, p: string, s: number, e?: number): Promise<boolean>;
      };
      assert.equal(typeof ranged.downloadObjectRangeAsStream, "function", "the driver has range downloads");
      assert.equal((await collect(await ranged.downloadObjectRangeAsStream(obj, 3, 7))).toString(), "3456");
      assert.equal((await collect(await ranged.downloadObjectRangeAsStream(obj, 17))).toString(), "hij");
      await ranged.downloadObjectRange(obj, join(dir, "range.out"), 10, 12);
      assert.equal(await readFile(join(dir, "range.out"), "utf8"), "ab");
    });

    item("M3", "M3: a download cut by an RST at 50% leaves no file; an existing file stays byte-identical (with and without overwrite)", async () => {
      const c = await fresh();
      const obj = await driver.uploadObjectViaStream(generated(2 * MiB, MiB, 3), c, "m3");
      const proxy = await cuttingProxy(server.port);
      const cutDriver = server.makeDriver({ port: proxy.port });
      try {
        proxy.cut = { afterBytes: MiB, how: "rst" };
        const target1 = join(dir, "m3-new");
        await assert.rejects(cutDriver.downloadObject(obj, target1));
        assert.deepEqual((await readdir(dir)).filter((n) => n.includes("m3")), []);
        const existing = join(dir, "m3-existing");
        await writeFile(existing, "old contents");
        await assert.rejects(cutDriver.downloadObject(obj, existing), LibcloudError);
        await assert.rejects(cutDriver.downloadObject(obj, existing, { overwriteExisting: true }));
        assert.equal(await readFile(existing, "utf8"), "old contents");
        assert.deepEqual((await readdir(dir)).filter((n) => n.includes("m3")), ["m3-existing"]);
      } finally {
        await (cutDriver as unknown as { close?: () => Promise<void> }).close?.();
        await proxy.close();
      }
    });

    item("H12", "H12: a body shorter than promised (FIN mid-body), or an object whose known size differs, saves nothing and fails the stream", async () => {
      const c = await fresh();
      const obj = await driver.uploadObjectViaStream(generated(MiB, MiB, 12), c, "h12");
      const proxy = await cuttingProxy(server.port);
      const cutDriver = server.makeDriver({ port: proxy.port });
      try {
        proxy.cut = { afterBytes: MiB / 2, how: "fin" };
        await assert.rejects(cutDriver.downloadObject(obj, join(dir, "h12-a")));
        await assert.rejects(async () => collect(await cutDriver.downloadObjectAsStream(obj)));
        proxy.cut = undefined;
        const stale = new StorageObject({ name: obj.name, size: obj.size + 1, hash: obj.hash, extra: obj.extra, container: c, driver });
        await assert.rejects(driver.downloadObject(stale, join(dir, "h12-b")), LibcloudError);
        await assert.rejects(async () => collect(await driver.downloadObjectAsStream(stale)), LibcloudError);
        assert.deepEqual((await readdir(dir)).filter((n) => n.includes("h12")), []);
      } finally {
        await (cutDriver as unknown as { close?: () => Promise<void> }).close?.();
        await proxy.close();
      }
    });

    item("M11", "M11: a file that shrinks while it is uploaded fails typed, and nothing is stored under its name", async () => {
      const c = await fresh();
      const file = join(dir, "m11.bin");
      const size = 10 * target.partSize(driver); // more than the parts read ahead
      const handle = await open(file, "w");
      for await (const chunk of generated(size, MiB, 11)) await handle.write(chunk);
      await handle.close();
      let shrunk = false;
      await assert.rejects(driver.uploadObject(file, c, "m11", {
        onProgress: () => {
          if (!shrunk) {
            shrunk = true;
            void truncate(file, 1000);
          }
        },
      }), LibcloudError);
      await assert.rejects(driver.getObject(c.name, "m11"), ObjectDoesNotExistError);
    });

    item("H5", "H5: a failed upload never replaces a good object (a source that throws after several parts)", async () => {
      const c = await fresh();
      await driver.uploadObjectViaStream([Buffer.from("the good version")], c, "h5");
      const partSize = target.partSize(driver);
      async function* failing(): AsyncGenerator<Buffer> {
        yield* generated(2 * partSize + 10, MiB, 5);
        throw new Error("source failed");
      }
      await assert.rejects(driver.uploadObjectViaStream(failing(), c, "h5"), /source failed/);
      assert.equal((await collect(await driver.downloadObjectAsStream(await driver.getObject(c.name, "h5")))).toString(), "the good version");
    });

    item("H2", "H2: names are names, never paths: '..', '.', '//', '%2F', '%2E%2E', backslash and NUL cannot reach another container or object", async () => {
      const victim = await fresh();
      const attacker = await fresh();
      await driver.uploadObjectViaStream([Buffer.from("secret")], victim, "payroll.csv");
      const evil = [`../${victim.name}/payroll.csv`, `./../${victim.name}/payroll.csv`, `x/../../${victim.name}/payroll.csv`,
        `%2E%2E/${victim.name}/payroll.csv`, `..%2F${victim.name}%2Fpayroll.csv`, `..\\${victim.name}\\payroll.csv`, `a//b`, "nul\0name", "/abs"];
      for (const name of evil) {
        // Either refused, typed, before sending, or stored and read literally in the attacker's container.
        try {
          await driver.uploadObjectViaStream([Buffer.from("overwritten")], attacker, name);
          const back = await collect(await driver.downloadObjectAsStream(await driver.getObject(attacker.name, name)));
          assert.equal(back.toString(), "overwritten", name);
        } catch (error) {
          assert.ok(error instanceof LibcloudError || error instanceof TypeError, `${JSON.stringify(name)}: ${String(error)}`);
        }
        try {
          const got = await driver.getObject(attacker.name, name);
          assert.notEqual((await collect(await driver.downloadObjectAsStream(got))).toString(), "secret", name);
        } catch (error) {
          assert.ok(error instanceof LibcloudError || error instanceof TypeError, `${JSON.stringify(name)}: ${String(error)}`);
        }
      }
      const still = await driver.getObject(victim.name, "payroll.csv");
      assert.equal((await collect(await driver.downloadObjectAsStream(still))).toString(), "secret");
      assert.deepEqual((await driver.listContainerObjects(victim)).map((o) => o.name), ["payroll.csv"]);
    });

    item("copy", "copy (server side) keeps bytes, content type and metadata; delete", async () => {
      const c = await fresh();
      const obj = await driver.uploadObjectViaStream([Buffer.from("copy me")], c, "src", { extra: { contentType: "text/x-copy", metaData: { m: "1" } } });
      const copy = await driver.copyObject(obj, c, "dst");
      assert.equal(copy.size, 7);
      assert.equal(copy.extra["contentType"], "text/x-copy");
      assert.deepEqual(copy.metaData, { m: "1" });
      assert.equal((await collect(await driver.downloadObjectAsStream(copy))).toString(), "copy me");
      assert.equal(await driver.deleteObject(copy), true);
      await assert.rejects(driver.getObject(c.name, "dst"), ObjectDoesNotExistError);
    });
  });
}
