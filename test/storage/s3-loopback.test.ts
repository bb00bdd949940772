// S3 behaviour that s3rver cannot show (its departures are named in each test), against a small
// loopback S3: multipart aborts, part retries, a 200 carrying an <Error>, a Range ignored, addressing.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { LibcloudError } from "../../src/index.js";
import {
  Container, ObjectHashMismatchError, S3StorageDriver, StorageObject, isIpHost, s3HostForRegion, usesVirtualHost,
} from "../../src/storage/index.js";
import { startServer, type TestServer } from "../helpers/server.js";

interface FakeS3 {
  server: TestServer;
  /** Uploads started and neither completed nor aborted. */
  active: Set<string>;
  /** Part bodies received, by upload and part number (the last one received). */
  parts: Map<string, Map<number, Buffer>>;
  completed: string[];
  aborted: string[];
}

type Fault = (method: string, url: URL, body: Buffer) => { status: number; body?: string; headers?: Record<string, string> } | undefined;

async function fakeS3(fault: Fault = () => undefined): Promise<FakeS3> {
  const state = { active: new Set<string>(), parts: new Map<string, Map<number, Buffer>>(), completed: [] as string[], aborted: [] as string[] };
  let n = 0;
  const server = await startServer((req, res, body) => {
    const url = new URL(req.url ?? "/", "http://x");
    const method = req.method ?? "GET";
    const injected = fault(method, url, body);
    if (injected !== undefined) {
      res.writeHead(injected.status, { "Content-Type": "application/xml", ...injected.headers }).end(injected.body ?? "");
      return;
    }
    const uploadId = url.searchParams.get("uploadId");
    if (method === "POST" && url.searchParams.has("uploads")) {
      const id = `upload-${++n}`;
      state.active.add(id);
      state.parts.set(id, new Map());
      res.writeHead(200).end(`<InitiateMultipartUploadResult><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`);
    } else if (method === "PUT" && uploadId !== null) {
      // Like S3: Content-MD5 is checked.
      if (createHash("md5").update(body).digest("base64") !== req.headers["content-md5"]) {
        res.writeHead(400).end("<Error><Code>BadDigest</Code><Message>The Content-MD5 you specified did not match what we received.</Message></Error>");
        return;
      }
      state.parts.get(uploadId)?.set(Number(url.searchParams.get("partNumber")), body);
      res.writeHead(200, { ETag: `"${createHash("md5").update(body).digest("hex")}"` }).end();
    } else if (method === "POST" && uploadId !== null) {
      state.active.delete(uploadId);
      state.completed.push(uploadId);
      res.writeHead(200).end(`<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><ETag>"abc-3"</ETag></CompleteMultipartUploadResult>`);
    } else if (method === "DELETE" && uploadId !== null) {
      state.active.delete(uploadId);
      state.aborted.push(uploadId);
      res.writeHead(204).end();
    } else if (method === "PUT") {
      if (createHash("md5").update(body).digest("base64") !== req.headers["content-md5"]) {
        res.writeHead(400).end("<Error><Code>BadDigest</Code><Message>The Content-MD5 you specified did not match what we received.</Message></Error>");
        return;
      }
      res.writeHead(200, { ETag: `"${createHash("md5").update(body).digest("hex")}"` }).end();
    } else {
      res.writeHead(404).end("<Error><Code>NoSuchKey</Code><Message>no</Message></Error>");
    }
  });
  return { server, ...state };
}

function driverFor(server: TestServer): S3StorageDriver {
  const d = new S3StorageDriver("AKID", "secret", { host: "127.0.0.1", port: server.port, secure: false, retryDelay: 5 });
  d.uploadPartSize = 1024;
  d.uploadConcurrency = 3;
  return d;
}

function chunks(total: number, fill = 7): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < total; i += 300) out.push(Buffer.alloc(Math.min(300, total - i), fill + (i % 11)));
  return out;
}

test("H5: a part the server refuses aborts the multipart upload: nothing completed, no parts left (s3rver answers AbortMultipartUpload 405)", async () => {
  const s3 = await fakeS3((m, url) => (m === "PUT" && url.searchParams.get("partNumber") === "3" ? { status: 400, body: "<Error><Code>InvalidPart</Code><Message>no</Message></Error>" } : undefined));
  const driver = driverFor(s3.server);
  try {
    await assert.rejects(driver.uploadObjectViaStream(chunks(5000), new Container("b", {}, driver), "k"), /InvalidPart/);
    assert.deepEqual(s3.completed, []);
    assert.deepEqual(s3.aborted, ["upload-1"]);
    assert.equal(s3.active.size, 0);
  } finally {
    await driver.close();
    await s3.server.close();
  }
});

test("H5: a source iterable that throws mid-way aborts the upload; CompleteMultipartUpload is never sent", async () => {
  const s3 = await fakeS3();
  const driver = driverFor(s3.server);
  async function* failing(): AsyncGenerator<Buffer> {
    yield Buffer.alloc(2500, 1);
    throw new Error("source broke");
  }
  try {
    await assert.rejects(driver.uploadObjectViaStream(failing(), new Container("b", {}, driver), "k"), /source broke/);
    assert.deepEqual(s3.completed, []);
    assert.deepEqual(s3.aborted, ["upload-1"]);
  } finally {
    await driver.close();
    await s3.server.close();
  }
});

test("A part that fails with a 500 is retried from its buffer (same bytes, same Content-MD5), and the upload completes", async () => {
  let failed = 0;
  const s3 = await fakeS3((m, url) => {
    if (m === "PUT" && url.searchParams.get("partNumber") === "2" && failed === 0) {
      failed++;
      return { status: 500, body: "<Error><Code>InternalError</Code><Message>try again</Message></Error>" };
    }
    return undefined;
  });
  const driver = driverFor(s3.server);
  try {
    const data = Buffer.concat(chunks(5000));
    const obj = await driver.uploadObjectViaStream(chunks(5000), new Container("b", {}, driver), "k");
    assert.equal(failed, 1);
    assert.deepEqual(s3.completed, ["upload-1"]);
    const parts = s3.parts.get("upload-1")!;
    assert.equal(parts.size, 5);
    assert.ok(Buffer.concat([1, 2, 3, 4, 5].map((i) => parts.get(i)!)).equals(data));
    assert.equal(obj.hash, "abc-3");
    assert.equal(obj.extra["md5Hash"], createHash("md5").update(data).digest("hex"));
  } finally {
    await driver.close();
    await s3.server.close();
  }
});

test("CompleteMultipartUpload answered 200 with an <Error> body fails the upload and aborts it (s3rver never does this)", async () => {
  const s3 = await fakeS3((m, url) => (m === "POST" && url.searchParams.has("uploadId")
    ? { status: 200, body: "<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>" } : undefined));
  const driver = driverFor(s3.server);
  try {
    await assert.rejects(driver.uploadObjectViaStream(chunks(3000), new Container("b", {}, driver), "k"), /CompleteMultipartUpload failed: InternalError/);
    assert.deepEqual(s3.aborted, ["upload-1"]);
  } finally {
    await driver.close();
    await s3.server.close();
  }
});

test("BadDigest maps to ObjectHashMismatchError (s3rver checks no Content-MD5)", async () => {
  const s3 = await fakeS3((m) => (m === "PUT" ? { status: 400, body: "<Error><Code>BadDigest</Code><Message>The Content-MD5 you specified did not match what we received.</Message></Error>" } : undefined));
  const driver = driverFor(s3.server);
  try {
    await assert.rejects(driver.uploadObjectViaStream([Buffer.from("x")], new Container("b", {}, driver), "k"), ObjectHashMismatchError);
  } finally {
    await driver.close();
    await s3.server.close();
  }
});

test("M12: a server that ignores Range (200, the whole object) is detected and nothing is saved (s3rver does so for bytes=0-0)", async () => {
  const server = await startServer((_req, res) => void res.writeHead(200, { "Content-Length": 10, ETag: '"e"' }).end("0123456789"));
  const driver = driverFor(server);
  const dir = await mkdtemp(join(tmpdir(), "libcloud-ts-s3-range-"));
  try {
    const obj = new StorageObject({ name: "k", size: 10, hash: "e", container: new Container("b", {}, driver), driver });
    await assert.rejects(driver.downloadObjectRangeAsStream(obj, 0, 1), (e: unknown) => e instanceof LibcloudError && /ignored the Range/.test(e.message));
    await assert.rejects(driver.downloadObjectRange(obj, join(dir, "out"), 2, 5), /ignored the Range/);
    assert.deepEqual(await readdir(dir), []);
  } finally {
    await driver.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("M12: a 206 for another range, or an ETag that changed since listing, fails the range download", async () => {
  let answer = { range: "bytes 0-3/10", etag: '"e"' };
  const server = await startServer((_req, res) => void res.writeHead(206, { "Content-Length": 4, "Content-Range": answer.range, ETag: answer.etag }).end("0123"));
  const driver = driverFor(server);
  try {
    const obj = new StorageObject({ name: "k", size: 10, hash: "e", container: new Container("b", {}, driver), driver });
    await assert.rejects(driver.downloadObjectRangeAsStream(obj, 2, 6), /another range/);
    answer = { range: "bytes 2-5/10", etag: '"changed"' };
    await assert.rejects(driver.downloadObjectRangeAsStream(obj, 2, 6), /changed/);
  } finally {
    await driver.close();
    await server.close();
  }
});

test("Addressing: virtual-hosted on AWS endpoints for DNS-label names, path-style for IP hosts, custom endpoints and dotted names; regions", async () => {
  assert.equal(usesVirtualHost("s3.amazonaws.com", "my-bucket"), true);
  assert.equal(usesVirtualHost("s3.eu-west-3.amazonaws.com", "my-bucket"), true);
  assert.equal(usesVirtualHost("s3.amazonaws.com", "my.dotted.bucket"), false);
  assert.equal(usesVirtualHost("s3.amazonaws.com", "Upper"), false);
  assert.equal(usesVirtualHost("127.0.0.1", "my-bucket"), false);
  assert.equal(usesVirtualHost("minio.example.com", "my-bucket"), false);
  assert.equal(isIpHost("::1"), true);
  assert.equal(s3HostForRegion("us-east-1"), "s3.amazonaws.com");
  assert.equal(s3HostForRegion("eu-south-2"), "s3.eu-south-2.amazonaws.com");
  assert.equal(s3HostForRegion("cn-north-9"), "s3.cn-north-9.amazonaws.com.cn");
  assert.throws(() => s3HostForRegion("moon-1"), /unsupported region/);
  const d = new S3StorageDriver("AKID", "secret", { region: "eu-west-3" });
  assert.equal(d.connection.host, "s3.eu-west-3.amazonaws.com");
  assert.equal(d.name, "Amazon S3 (eu-west-3)");
  const obj = new StorageObject({ name: "a b/c", size: 1, hash: null, container: new Container("my-bucket", {}, d), driver: d });
  const url = new URL(await d.getObjectCdnUrl(obj));
  assert.equal(url.host, "my-bucket.s3.eu-west-3.amazonaws.com");
  assert.equal(url.pathname, "/a%20b/c");
  assert.match(url.searchParams.get("X-Amz-Credential") ?? "", /^AKID\/\d{8}\/eu-west-3\/s3\/aws4_request$/);
  assert.equal(url.searchParams.get("X-Amz-Expires"), "86400");
  const dotted = new StorageObject({ name: "k", size: 1, hash: null, container: new Container("my.bucket", {}, d), driver: d });
  assert.equal(new URL(await d.getObjectCdnUrl(dotted)).pathname, "/my.bucket/k");
  await d.close();
});
