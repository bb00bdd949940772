// Azure Blobs parity with libcloud's current driver (issue 11) and storage progress (issue 12):
// sovereign-cloud hosts, unknown option keys, range downloads (M4, M12), leases and onProgress,
// against Azurite where it can serve and loopback servers where it cannot misbehave.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  AzureBlobLease, AzureBlobsStorageDriver, Container, DownloadIncompleteError, StorageObject, type TransferProgress,
} from "../../src/storage/index.js";
import { startAzurite, type Azurite } from "../helpers/azurite.js";
import { startServer } from "../helpers/server.js";
import { collect } from "../helpers/collect.js";

const KiB = 1024;
const FAKE_KEY = "deadbeafcafebabe==";
let azurite: Azurite;
let driver: AzureBlobsStorageDriver;
let workdir: string;
let container: Container;

/** The `x-ms-lease-action` of every request `d` sends from now on, in order. */
function leaseActions(d: AzureBlobsStorageDriver): string[] {
  const actions: string[] = [];
  const original = d.connection.request.bind(d.connection);
  d.connection.request = ((action: string, options?: { headers?: Record<string, string> }) => {
    const a = options?.headers?.["x-ms-lease-action"];
    if (a !== undefined) actions.push(a);
    return original(action, options);
  }) as typeof d.connection.request;
  return actions;
}

function newDriver(): AzureBlobsStorageDriver {
  return new AzureBlobsStorageDriver(azurite.account, azurite.key, { host: azurite.host, port: azurite.port, secure: false });
}


before(async () => {
  azurite = await startAzurite();
  driver = newDriver();
  workdir = await mkdtemp(join(tmpdir(), "libcloud-ts-azure-parity-"));
  container = await driver.createContainer(`parity-${process.pid}`);
});

after(async () => {
  await driver?.close();
  await azurite?.stop();
  if (workdir) await rm(workdir, { recursive: true, force: true });
});

describe("Azure hosts, as libcloud maps them", () => {
  it("libcloud: test_storage_driver_host", async () => {
    const driver1 = new AzureBlobsStorageDriver("fakeaccount1", FAKE_KEY);
    const driver2 = new AzureBlobsStorageDriver("fakeaccount2", FAKE_KEY);
    const driver3 = new AzureBlobsStorageDriver("fakeaccount3", FAKE_KEY, { host: "test.foo.bar.com" });
    assert.equal(driver1.connection.host, "fakeaccount1.blob.core.windows.net");
    assert.equal(driver2.connection.host, "fakeaccount2.blob.core.windows.net");
    assert.equal(driver3.connection.host, "test.foo.bar.com");
    await Promise.all([driver1.close(), driver2.close(), driver3.close()]);
  });

  it("libcloud: test_storage_driver_host_govcloud (and China, Private Link)", async () => {
    const cases: Array<[string, string, string]> = [
      ["fakeaccount1", "blob.core.usgovcloudapi.net", "fakeaccount1.blob.core.usgovcloudapi.net"],
      ["fakeaccount2", "fakeaccount2.blob.core.usgovcloudapi.net", "fakeaccount2.blob.core.usgovcloudapi.net"],
      ["fakeaccount3", "blob.core.chinacloudapi.cn", "fakeaccount3.blob.core.chinacloudapi.cn"],
      ["fakeaccount4", "privatelink.blob.core.windows.net", "fakeaccount4.privatelink.blob.core.windows.net"],
    ];
    for (const [account, host, expected] of cases) {
      const d = new AzureBlobsStorageDriver(account, FAKE_KEY, { host });
      assert.equal(d.connection.host, expected);
      assert.equal(d.connection.requestPath, "", "no account prefix"); // libcloud: account_prefix is None
      assert.equal(d.copyConnection.host, expected);
      await d.close();
    }
  });

  it("libcloud: test_storage_driver_host_azurite (the account prefix is the connection's requestPath)", async () => {
    const d = new AzureBlobsStorageDriver("fakeaccount1", FAKE_KEY, { host: "localhost", port: 10000, secure: false });
    assert.equal(d.connection.host, "localhost");
    assert.equal(d.connection.requestPath, "/fakeaccount1"); // libcloud: account_prefix == "fakeaccount1"
    await d.close();
  });
});

describe("every storage method rejects unknown option keys (PORTING 10)", () => {
  it("a TypeError naming the key, before any request; exUseLease only where uploads take it", async () => {
    let requests = 0;
    const server = await startServer((_req, res) => {
      requests += 1;
      res.writeHead(500).end();
    });
    const d = new AzureBlobsStorageDriver("acct", FAKE_KEY, { host: "127.0.0.1", port: server.port, secure: false });
    try {
      const c = new Container("c", {}, d);
      const obj = new StorageObject({ name: "o", size: 1, hash: null, container: c, driver: d });
      const file = join(workdir, "opts.txt");
      await writeFile(file, "x");
      const bad = { bogus: 1 } as Record<string, unknown>;
      const named = (key: string) => (e: unknown): boolean => e instanceof TypeError && e.message.includes(`"${key}"`);
      const calls: Array<[string, () => Promise<unknown>]> = [
        ["iterateContainers", () => d.iterateContainers(bad).next()],
        ["listContainers", () => d.listContainers(bad)],
        ["listContainerObjects", () => d.listContainerObjects(c, bad)],
        ["uploadObject", () => d.uploadObject(file, c, "o", bad)],
        ["uploadObjectViaStream", () => d.uploadObjectViaStream([Buffer.from("x")], c, "o", bad)],
        ["downloadObject", () => d.downloadObject(obj, join(workdir, "never"), bad)],
        ["downloadObjectAsStream", () => d.downloadObjectAsStream(obj, bad)],
        ["downloadObjectRange", () => d.downloadObjectRange(obj, join(workdir, "never"), 0, 1, bad)],
        ["downloadObjectRangeAsStream", () => d.downloadObjectRangeAsStream(obj, 0, 1, bad)],
        ["copyObject", () => d.copyObject(obj, c, "p", bad)],
        ["downloadObject exUseLease", () => d.downloadObject(obj, join(workdir, "never"), { exUseLease: true } as Record<string, unknown>)],
        ["downloadObjectAsStream exUseLease", () => d.downloadObjectAsStream(obj, { exUseLease: true } as Record<string, unknown>)],
      ];
      for (const [what, call] of calls) {
        await assert.rejects(call(), named(what.endsWith("exUseLease") ? "exUseLease" : "bogus"), what);
      }
      await assert.rejects(d.uploadObjectViaStream([Buffer.from("x")], c, "o", { ex_use_lease: true } as Record<string, unknown>),
        (e: unknown) => e instanceof TypeError && /did you mean "exUseLease"/.test(e.message));
      assert.equal(requests, 0, "nothing was sent");
    } finally {
      await d.close();
      await server.close();
    }
  });
});

describe("range downloads (libcloud 3.x download_object_range)", () => {
  let obj: StorageObject;
  before(async () => {
    obj = await container.uploadObjectViaStream([Buffer.from("0123456789")], "foo_bar_object_range");
  });

  it("libcloud: test_download_object_range_success", async () => {
    const destination = join(workdir, "range.temp");
    const result = await driver.downloadObjectRange(obj, destination, 5, 7, { overwriteExisting: false, deleteOnFailure: true });
    assert.equal(result, true);
    assert.equal(await readFile(destination, "utf8"), "56");
  });

  it("libcloud: test_download_object_range_as_stream_success", async () => {
    const stream = await driver.downloadObjectRangeAsStream(obj, 4, 6, { chunkSize: undefined });
    assert.equal((await collect(stream)).toString(), "45");
  });

  it("M4: open-ended and past-the-end ranges get what the object has; bad bounds are a TypeError before sending", async () => {
    assert.equal((await collect(await driver.downloadObjectRangeAsStream(obj, 7))).toString(), "789");
    assert.equal((await collect(await driver.downloadObjectRangeAsStream(obj, 8, 100))).toString(), "89");
    assert.equal((await collect(await driver.downloadObjectRangeAsStream(obj, 0, 10))).toString(), "0123456789");
    await assert.rejects(driver.downloadObjectRangeAsStream(obj, -1, 3), TypeError);
    await assert.rejects(driver.downloadObjectRangeAsStream(obj, 3, 3), TypeError);
    await assert.rejects(driver.downloadObjectRangeAsStream(obj, 1.5), TypeError);
  });

  for (const [what, status, headers, data] of [
    ["M12: a server that ignores Range (200, whole body)", 200, {}, "0123456789"],
    ["M4: a 206 that starts elsewhere", 206, { "content-range": "bytes 0-1/10" }, "01"],
    ["M4: a 206 with fewer bytes than the range", 206, { "content-range": "bytes 5-5/10" }, "5"],
    ["M4: a 206 without Content-Range", 206, {}, "56"],
  ] as const) {
    it(`${what} → DownloadIncompleteError, nothing saved, never concatenated`, async () => {
      const server = await startServer((_req, res) => {
        res.writeHead(status, { ...headers, "content-length": String(data.length) });
        res.end(data);
      });
      const d = new AzureBlobsStorageDriver("acct", FAKE_KEY, { host: "127.0.0.1", port: server.port, secure: false });
      try {
        const remote = new StorageObject({ name: "o", size: 10, hash: null, container: new Container("c", {}, d), driver: d });
        const destination = join(workdir, "m12.bin");
        await assert.rejects(d.downloadObjectRange(remote, destination, 5, 7), DownloadIncompleteError);
        await assert.rejects(readFile(destination), { code: "ENOENT" });
        assert.deepEqual((await readdir(workdir)).filter((f) => f.endsWith(".part")), []);
        await assert.rejects(d.downloadObjectRangeAsStream(remote, 5, 7), DownloadIncompleteError);
      } finally {
        await d.close();
        await server.close();
      }
    });
  }

  it("M4: a 206 whose body is shorter than its Content-Range fails the stream", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(206, { "content-range": "bytes 5-6/10" }); // chunked: no Content-Length to catch it
      res.end("5");
    });
    const d = new AzureBlobsStorageDriver("acct", FAKE_KEY, { host: "127.0.0.1", port: server.port, secure: false });
    try {
      const remote = new StorageObject({ name: "o", size: 10, hash: null, container: new Container("c", {}, d), driver: d });
      await assert.rejects(async () => collect(await d.downloadObjectRangeAsStream(remote, 5, 7)), DownloadIncompleteError);
    } finally {
      await d.close();
      await server.close();
    }
  });
});

describe("onProgress({ loadedBytes, totalBytes }) on every upload and download (issue 12)", () => {
  it("reports each chunk, streams included, with the total when known", async () => {
    const d = newDriver();
    d.uploadChunkSize = 64 * KiB;
    try {
      const data = Buffer.alloc(300 * KiB, 5);
      const file = join(workdir, "progress.bin");
      await writeFile(file, data);
      const seen: Record<string, TransferProgress[]> = {};
      const track = (what: string) => (p: TransferProgress): void => {
        (seen[what] ??= []).push(p);
      };
      const up = await d.uploadObject(file, container, "progress.bin", { onProgress: track("uploadObject") });
      await d.uploadObjectViaStream([data.subarray(0, 100 * KiB), data.subarray(100 * KiB)], container, "progress2.bin", { onProgress: track("uploadObjectViaStream") });
      await d.uploadObjectViaStream([Buffer.from("tiny")], container, "progress3.bin", { onProgress: track("single Put Blob") });
      await d.downloadObject(up, join(workdir, "progress-down.bin"), { onProgress: track("downloadObject") });
      await collect(await d.downloadObjectAsStream(up, { chunkSize: 32 * KiB, onProgress: track("downloadObjectAsStream") }));
      await collect(await d.downloadObjectRangeAsStream(up, 10, 100_010, { chunkSize: 32 * KiB, onProgress: track("downloadObjectRangeAsStream") }));
      await d.downloadObjectRange(up, join(workdir, "progress-range.bin"), 0, 1000, { onProgress: track("downloadObjectRange") });

      const expectTotals: Record<string, [number, number | undefined]> = {
        uploadObject: [data.length, data.length],
        uploadObjectViaStream: [data.length, undefined],
        "single Put Blob": [4, 4],
        downloadObject: [data.length, data.length],
        downloadObjectAsStream: [data.length, data.length],
        downloadObjectRangeAsStream: [100_000, 100_000],
        downloadObjectRange: [1000, 1000],
      };
      for (const [what, [loaded, total]] of Object.entries(expectTotals)) {
        const reports = seen[what] ?? [];
        assert.ok(reports.length >= 1, `${what} reported progress`);
        assert.deepEqual(reports.at(-1), { loadedBytes: loaded, totalBytes: total }, what);
        for (let i = 1; i < reports.length; i += 1) assert.ok(reports[i]!.loadedBytes > reports[i - 1]!.loadedBytes, `${what} grows`);
      }
      assert.equal(seen["uploadObject"]!.length, 5, "one report per 64 KiB block");
      assert.ok(seen["downloadObjectAsStream"]!.length >= 10, "one report per 32 KiB chunk");
    } finally {
      await d.close();
    }
  });
});

describe("leases: exUseLease as libcloud's AzureBlobLease (Azurite)", () => {
  it("libcloud: test_upload_blob_object_via_stream_with_lease (and test_upload_small_block_object_success_with_lease)", async () => {
    const obj = await driver.uploadObjectViaStream([Buffer.from("345")], container, "foo_test_upload", {
      extra: { contentType: "text/plain" }, exUseLease: true,
    });
    assert.equal(obj.name, "foo_test_upload");
    assert.equal(obj.size, 3);
    const file = join(workdir, "lease-small.txt");
    await writeFile(file, "small file");
    const again = await driver.uploadObject(file, container, "foo_test_upload", // Azurite, unlike libcloud's mock, refuses "some-value" (metadata names are C# identifiers).
      { extra: { metaData: { some_value: "foobar" } }, verifyHash: false, exUseLease: true });
    assert.equal(again.size, 10);
    assert.ok("some_value" in again.metaData);
    const head = await driver.getObject(container.name, "foo_test_upload");
    assert.equal((head.extra["lease"] as { state: string }).state, "available", "the lease was released");
  });

  it("holds the lease while a multi-block upload runs: another writer is refused until it ends", async () => {
    const d = newDriver();
    d.uploadChunkSize = 64 * KiB;
    d.uploadConcurrency = 1;
    const other = newDriver();
    try {
      await container.uploadObjectViaStream([Buffer.from("old")], "leased.bin");
      const actions = leaseActions(d);
      let refused: unknown;
      let checked = false;
      await d.uploadObjectViaStream([Buffer.alloc(200 * KiB, 7)], container, "leased.bin", {
        exUseLease: true,
        onProgress: () => {
          if (checked) return;
          checked = true;
          // Mid-upload, a writer without the lease id: the service refuses it.
          refused = other.uploadObjectViaStream([Buffer.from("intruder")], container, "leased.bin").then(() => "accepted", (e: unknown) => e);
        },
      });
      const outcome = await refused;
      assert.notEqual(outcome, "accepted", "the intruder was refused while the lease was held");
      assert.match(String((outcome as Error).message), /LeaseIdMissing|lease/i);
      assert.deepEqual(actions, ["acquire", "release"]);
      const back = await driver.getObject(container.name, "leased.bin");
      assert.equal(back.size, 200 * KiB, "the leased upload is what was committed");
      await other.uploadObjectViaStream([Buffer.from("after")], container, "leased.bin"); // released: writable again
    } finally {
      await d.close();
      await other.close();
    }
  });

  it("renews the lease before a request once it is due (renewAfterMs), and the service accepts the renewal", async () => {
    const d = newDriver();
    d.uploadChunkSize = 64 * KiB;
    d.uploadConcurrency = 1;
    const saved = AzureBlobLease.renewAfterMs;
    AzureBlobLease.renewAfterMs = 0; // due before every request, as libcloud renews
    try {
      await container.uploadObjectViaStream([Buffer.from("old")], "renewed.bin");
      const actions = leaseActions(d);
      await new Promise((r) => setTimeout(r, 5));
      const obj = await d.uploadObjectViaStream([Buffer.alloc(130 * KiB, 1)], container, "renewed.bin", { exUseLease: true });
      assert.equal(obj.size, 130 * KiB);
      assert.equal(actions[0], "acquire");
      assert.equal(actions.at(-1), "release");
      assert.ok(actions.filter((a) => a === "renew").length >= 3, `renewed before each block and the commit: ${actions.join(",")}`);
    } finally {
      AzureBlobLease.renewAfterMs = saved;
      await d.close();
    }
  });

  it("a blob leased by someone else: the upload fails typed and the blob is unchanged; a new blob gets no lease", async () => {
    await container.uploadObjectViaStream([Buffer.from("held")], "held.bin");
    const path = `/${container.name}/held.bin`;
    const lease = await AzureBlobLease.acquire(driver, path);
    assert.ok(lease !== undefined);
    try {
      await assert.rejects(driver.uploadObjectViaStream([Buffer.from("x")], container, "held.bin", { exUseLease: true }), /LeaseAlreadyPresent/);
      await assert.rejects(driver.uploadObjectViaStream([Buffer.from("x")], container, "held.bin"), /LeaseIdMissing/);
      // A file upload refused at the lease holds no file handle afterwards.
      const file = join(workdir, "held-src.txt");
      await writeFile(file, "from a file");
      const fds = (await readdir("/proc/self/fd")).length;
      await assert.rejects(driver.uploadObject(file, container, "held.bin", { exUseLease: true }), /LeaseAlreadyPresent/);
      assert.equal((await readdir("/proc/self/fd")).length, fds, "no file descriptor left open");
    } finally {
      await lease.release();
    }
    assert.equal((await collect(await (await driver.getObject(container.name, "held.bin")).asStream())).toString(), "held");
    assert.equal(await AzureBlobLease.acquire(driver, `/${container.name}/does-not-exist`), undefined);
    const fresh = await driver.uploadObjectViaStream([Buffer.from("new")], container, "fresh.bin", { exUseLease: true });
    assert.equal(fresh.size, 3);
  });
});

describe("SAS URLs: getObjectCdnUrl signed with the account key (Azurite, plain curl)", () => {
  const curl = (url: string, out: string): Promise<{ code: number | null; stderr: string }> => new Promise((resolve) => {
    const child = spawn("curl", ["-sS", "--fail", "--max-time", "10", "-o", out, url], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => { stderr += c.toString(); });
    child.on("close", (code) => resolve({ code, stderr }));
  });

  it("libcloud: test_get_object_cdn_url", async () => {
    const obj = await container.uploadObjectViaStream([Buffer.from("t")], "test");
    const url = new URL(await driver.getObjectCdnUrl(obj));
    const sig = url.searchParams.getAll("sig");
    assert.equal(sig.length, 1);
    assert.ok(sig[0]!.length > 0);
  });

  it("the URL downloads the object with curl, names that need encoding included, and stops working when it expires", async () => {
    for (const name of ["sas/report 2026 (final).txt", "ünï/ç%2F?.txt"]) {
      const body = Buffer.from(`shared ${name}`);
      const obj = await container.uploadObjectViaStream([body], name);
      const url = await driver.getObjectCdnUrl(obj, { exExpiry: 1 });
      assert.ok(!url.includes(azurite.key), "the account key is not in the URL");
      const out = join(workdir, "sas.out");
      const result = await curl(url, out);
      assert.equal(result.code, 0, `curl failed: ${result.stderr}`);
      assert.deepEqual(await readFile(out), body);
      await rm(out, { force: true });
    }
    const obj = await driver.getObject(container.name, "sas/report 2026 (final).txt");
    const short = await driver.getObjectCdnUrl(obj, { exExpiry: 1 / 3600 }); // one second
    await new Promise((r) => setTimeout(r, 2100));
    const expired = await curl(short, join(workdir, "sas-expired.out"));
    assert.notEqual(expired.code, 0, "an expired URL is refused");
    assert.match(expired.stderr, /403/);
    // Tampering with the permissions breaks the signature.
    const forged = (await driver.getObjectCdnUrl(obj)).replace("sp=r", "sp=rw");
    assert.notEqual((await curl(forged, join(workdir, "sas-forged.out"))).code, 0);
    await assert.rejects(driver.getObjectCdnUrl(obj, { exExpiry: 0 }), TypeError);
    await assert.rejects(driver.getObjectCdnUrl(obj, { ex_expiry: 1 } as Record<string, unknown>), /did you mean "exExpiry"/);
  });
});

describe("more of libcloud's test_azure_blobs.py, translated (Azurite)", () => {
  it("libcloud: test_upload_blob_object_via_stream_from_iterable", async () => {
    const obj = await driver.uploadObjectViaStream([Buffer.from("34"), Buffer.from("5")], container, "foo_test_upload_iterable", {
      extra: { contentType: "text/plain" },
    });
    assert.equal(obj.name, "foo_test_upload_iterable");
    assert.equal(obj.size, 3);
  });

  it("libcloud: test_download_object_invalid_file_size (a DownloadIncompleteError here, not False: PORTING A16)", async () => {
    const real = await container.uploadObjectViaStream([Buffer.alloc(100, 1)], "foo_bar_object");
    const obj = new StorageObject({ name: "foo_bar_object", size: 1000, hash: null, container, driver });
    const destination = join(workdir, "invalid-size.temp");
    await assert.rejects(driver.downloadObject(obj, destination, { overwriteExisting: false, deleteOnFailure: true }), DownloadIncompleteError);
    await assert.rejects(readFile(destination), { code: "ENOENT" });
    assert.equal(await driver.downloadObject(real, destination), true);
  });

  it("libcloud: test_download_object_invalid_file_already_exists", async () => {
    const obj = await driver.getObject(container.name, "foo_bar_object");
    const destination = join(workdir, "exists.temp");
    await writeFile(destination, "already here");
    await assert.rejects(driver.downloadObject(obj, destination, { overwriteExisting: false, deleteOnFailure: true }), /already exists/);
    assert.equal(await readFile(destination, "utf8"), "already here");
  });
});
