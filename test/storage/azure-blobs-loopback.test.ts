// AzureBlobsStorageDriver against loopback servers, for what Azurite never does: a copy that stays
// pending, a block upload that fails once, a download cut short, and the signature's exact input.
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { JobFailedError, type LibcloudRequest } from "../../src/index.js";
import { sharedKeyStringToSign } from "../../src/common/azure.js";
import { AzureBlobsStorageDriver, Container, StorageObject } from "../../src/storage/index.js";
import { startServer, type TestServer } from "../helpers/server.js";

const KEY = Buffer.from("a test key that is not a secret").toString("base64");
let workdir: string;

function driverFor(server: TestServer): AzureBlobsStorageDriver {
  const driver = new AzureBlobsStorageDriver("acct", KEY, { host: "127.0.0.1", port: server.port, secure: false, retryDelay: 5 });
  driver.copyConnection.pollInterval = 5;
  return driver;
}

before(async () => {
  workdir = await mkdtemp(join(tmpdir(), "libcloud-ts-loopback-"));
});
after(async () => {
  await rm(workdir, { recursive: true, force: true });
});

describe("AzureBlobsStorageDriver against loopback servers", () => {
  it("polls a pending copy until x-ms-copy-status is success", async () => {
    let heads = 0;
    const server = await startServer((req, res) => {
      if (req.method === "PUT") {
        res.writeHead(202, { "x-ms-copy-status": "pending", "x-ms-copy-id": "1", etag: '"0x1"' });
      } else {
        heads += 1;
        res.writeHead(200, {
          "x-ms-copy-status": heads <= 2 ? "pending" : "success", "content-length": "5", etag: '"0x2"', "x-ms-blob-type": "BlockBlob",
          "x-ms-meta-copied": "yes",
        });
      }
      res.end();
    });
    const driver = driverFor(server);
    try {
      const source = new StorageObject({ name: "a b", size: 5, hash: null, container: new Container("src", {}, driver), driver });
      const copy = await driver.copyObject(source, new Container("dst", {}, driver), "c");
      assert.deepEqual(server.requests.map((r) => `${r.method} ${r.url}`), [
        "PUT /acct/dst/c", "HEAD /acct/dst/c", "HEAD /acct/dst/c", "HEAD /acct/dst/c",
      ]);
      assert.equal(server.requests[0]!.headers["x-ms-copy-source"], `http://127.0.0.1:${server.port}/acct/src/a%20b`);
      for (const r of server.requests) assert.match(String(r.headers["authorization"]), /^SharedKey acct:[A-Za-z0-9+/]+=*$/);
      assert.equal(copy.size, 5);
      assert.equal(copy.hash, "0x2");
      assert.deepEqual(copy.metaData, { copied: "yes" });
    } finally {
      await driver.close();
      await server.close();
    }
  });

  it("ends polling with JobFailedError when the copy fails", async () => {
    const server = await startServer((req, res) => {
      res.writeHead(req.method === "PUT" ? 202 : 200, {
        "x-ms-copy-status": req.method === "PUT" ? "pending" : "failed", "x-ms-copy-status-description": "500 InternalError",
      });
      res.end();
    });
    const driver = driverFor(server);
    try {
      const source = new StorageObject({ name: "s", size: 1, hash: null, container: new Container("src", {}, driver), driver });
      await assert.rejects(driver.copyObject(source, new Container("dst", {}, driver), "d"), (e: unknown) =>
        e instanceof JobFailedError && /failed: 500 InternalError/.test(e.message));
      assert.equal(server.requests.length, 2);
    } finally {
      await driver.close();
      await server.close();
    }
  });

  it("retries a failed block from its buffer, with the same body and MD5", async () => {
    // The first attempt of the second block fails (by id: blocks go out several at a time).
    const secondId = Buffer.from(`block-${"1".padStart(10, "0")}`).toString("base64");
    let failed = false;
    const server = await startServer((req, res, body) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (url.searchParams.get("comp") === "block") {
        if (url.searchParams.get("blockid") === secondId && !failed) {
          failed = true;
          res.writeHead(500, { "x-ms-error-code": "InternalError" });
          res.end();
          return;
        }
        assert.equal(req.headers["content-md5"], createHash("md5").update(body).digest("base64"));
        res.writeHead(201);
      } else {
        res.writeHead(201, { etag: '"0xdone"' });
      }
      res.end();
    });
    const driver = driverFor(server);
    driver.uploadChunkSize = 1024;
    try {
      const data = Buffer.alloc(2500, 1).fill(2, 1024).fill(3, 2048);
      const obj = await driver.uploadObjectViaStream([data], new Container("c", {}, driver), "o");
      const blocks = server.requests.filter((r) => r.url.includes("comp=block&"));
      assert.equal(blocks.length, 4, "3 blocks, the second sent twice");
      // Blocks go out several at a time, so match the attempts by block id, not by arrival order.
      const idOf = (url: string): string => new URL(url, "http://x").searchParams.get("blockid") ?? "";
      const attempts = blocks.filter((r) => idOf(r.url) === secondId);
      assert.equal(attempts.length, 2, "the second block was sent twice");
      assert.ok(attempts[0]!.body.equals(attempts[1]!.body), "the retry re-sent the same bytes");
      assert.ok(attempts[1]!.body.equals(data.subarray(1024, 2048)));
      assert.equal(attempts[0]!.headers["content-md5"], attempts[1]!.headers["content-md5"]);
      const list = server.requests.at(-1)!;
      assert.match(list.url, /comp=blocklist/);
      assert.equal(list.headers["x-ms-blob-content-md5"], createHash("md5").update(data).digest("base64"));
      assert.equal(obj.size, 2500);
      assert.equal(obj.hash, "0xdone");
    } finally {
      await driver.close();
      await server.close();
    }
  });

  it("removes the partial file of a download cut short, and keeps an existing file", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "content-length": "100" });
      res.write(Buffer.alloc(50, 1));
      setTimeout(() => res.destroy(), 20);
    });
    const driver = driverFor(server);
    try {
      const obj = new StorageObject({ name: "o", size: 100, hash: null, container: new Container("c", {}, driver), driver });
      const target = join(workdir, "cut.bin");
      await assert.rejects(obj.download(target));
      await assert.rejects(readFile(target), { code: "ENOENT" });
      await writeFile(target, "existing");
      await assert.rejects(obj.download(target, { overwriteExisting: true }));
      assert.equal(await readFile(target, "utf8"), "existing", "a failed overwrite leaves the old file");
      assert.deepEqual((await readdir(workdir)).filter((f) => f.endsWith(".part")), []);
    } finally {
      await driver.close();
      await server.close();
    }
  });

  it("cancels a download with its AbortSignal and leaves no file", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "content-length": "1000000" });
      res.write(Buffer.alloc(1000, 1)); // then stalls
    });
    const driver = driverFor(server);
    try {
      const obj = new StorageObject({ name: "o", size: 1_000_000, hash: null, container: new Container("c", {}, driver), driver });
      const controller = new AbortController();
      const target = join(workdir, "aborted.bin");
      const download = obj.download(target, { signal: controller.signal, onProgress: () => controller.abort() });
      await assert.rejects(download, (e: unknown) => (e as Error).name === "AbortError");
      await assert.rejects(readFile(target), { code: "ENOENT" });
      assert.deepEqual((await readdir(workdir)).filter((f) => f.endsWith(".part")), []);
    } finally {
      await driver.close();
      await server.close();
    }
  });

  it("builds the SharedKey string to sign from the request alone", () => {
    const request = {
      method: "PUT",
      action: "/acct/c/a%20b",
      params: [["comp", "block"], ["blockid", "QQ=="]] as Array<[string, string]>,
      headers: { "x-ms-version": "2018-11-09", "X-MS-Date": "Sun, 29 Nov 2026 00:00:00 GMT", "Content-Length": "0", "Content-MD5": "md5", "x-ms-meta-A": "  two  words " },
      data: undefined,
    } satisfies Pick<LibcloudRequest, "method" | "action" | "params" | "headers" | "data">;
    assert.equal(sharedKeyStringToSign("acct", request), [
      "PUT", "", "", "", "md5", "", "", "", "", "", "", "",
      "x-ms-date:Sun, 29 Nov 2026 00:00:00 GMT", "x-ms-meta-a:two words", "x-ms-version:2018-11-09",
      "/acct/acct/c/a%20b", "blockid:QQ==", "comp:block",
    ].join("\n"));
    // The signature is HMAC-SHA256 of that string under the decoded key.
    const signature = createHmac("sha256", Buffer.from(KEY, "base64")).update(sharedKeyStringToSign("acct", request)).digest("base64");
    assert.match(signature, /=$/);
  });
});
