// The S3 driver on a real S3 server: s3rver 3.7.1, behind a front that verifies every SigV4
// signature with @smithy/signature-v4 (test/helpers/s3rver.ts).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { InvalidCredsError } from "../../src/index.js";
import {
  ContainerAlreadyExistsError, ContainerDoesNotExistError, ContainerIsNotEmptyError, ObjectDoesNotExistError, Provider, S3StorageDriver,
  MinIOStorageDriver, getDriver, type StorageObject,
} from "../../src/storage/index.js";
import { startS3rver, type S3rver } from "../helpers/s3rver.js";

let s3: S3rver;
let driver: S3StorageDriver;
let dir: string;

function newDriver(secret = s3.secret): S3StorageDriver {
  return new S3StorageDriver(s3.key, secret, { host: "127.0.0.1", port: s3.port, secure: false, region: "us-east-1" });
}

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of it) chunks.push(c);
  return Buffer.concat(chunks);
}

before(async () => {
  s3 = await startS3rver();
  driver = newDriver();
  dir = await mkdtemp(join(tmpdir(), "libcloud-ts-s3-"));
});

after(async () => {
  await driver?.close();
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

test("S3 on s3rver: containers created, fetched, listed, deleted, with typed errors", async () => {
  const c = await driver.createContainer("lifecycle-bucket");
  assert.equal(c.name, "lifecycle-bucket");
  await assert.rejects(driver.createContainer("lifecycle-bucket"), ContainerAlreadyExistsError);
  assert.equal((await driver.getContainer("lifecycle-bucket")).name, "lifecycle-bucket");
  await assert.rejects(driver.getContainer("no-such-bucket"), ContainerDoesNotExistError);
  assert.ok((await driver.listContainers()).some((x) => x.name === "lifecycle-bucket"));
  await driver.uploadObjectViaStream([Buffer.from("x")], c, "keep");
  await assert.rejects(driver.deleteContainer(c), ContainerIsNotEmptyError);
  await driver.deleteObject(await driver.getObject(c.name, "keep"));
  assert.equal(await driver.deleteContainer(c), true);
  await assert.rejects(driver.deleteContainer(c), ContainerDoesNotExistError);
  assert.deepEqual(s3.refused, []);
});

test("S3 on s3rver: objects with unicode, reserved characters, metadata and content types; listing pages (ListObjectsV2 continuation)", async () => {
  const c = await driver.createContainer("objects-bucket");
  const names = ["plain", "sp ace", "ünï/cödé 日本", "reserved!*'();:@&=+$,?#[]", "a+b%20c", "tilde~dash-under_score.dot", "emoji😀/x"];
  for (const name of names) {
    await driver.uploadObjectViaStream([Buffer.from(`body of ${name}`)], c, name, { extra: { contentType: "text/plain; charset=utf-8", metaData: { owner: "me", n: "1" } } });
  }
  driver.responsesPerRequest = 2;
  try {
    const listed = await driver.listContainerObjects(c);
    assert.deepEqual(listed.map((o) => o.name).sort(), [...names].sort());
    const prefixed = await driver.listContainerObjects(c, { prefix: "ünï/" });
    assert.deepEqual(prefixed.map((o) => o.name), ["ünï/cödé 日本"]);
  } finally {
    driver.responsesPerRequest = 100;
  }
  for (const name of names) {
    const obj = await driver.getObject(c.name, name);
    assert.equal(obj.extra["contentType"], "text/plain; charset=utf-8");
    assert.deepEqual(obj.metaData, { owner: "me", n: "1" });
    assert.equal((await collect(await driver.downloadObjectAsStream(obj))).toString(), `body of ${name}`);
  }
  await assert.rejects(driver.getObject(c.name, "missing"), ObjectDoesNotExistError);
  await assert.rejects(driver.getObject("no-such-bucket", "missing"), ContainerDoesNotExistError);
  assert.ok(s3.seen.some((r) => r.url.includes("continuation-token=")), "a second page was asked for");
  assert.deepEqual(s3.refused, []);
});

test("S3 on s3rver: multipart upload (several parts in flight) from an iterable of unknown length, downloads to a file and as a stream", async () => {
  const c = await driver.createContainer("multipart-bucket");
  const data = randomBytes(13 * 1024 * 1024 + 123);
  async function* source(): AsyncGenerator<Buffer> {
    for (let i = 0; i < data.length; i += 100_000) yield data.subarray(i, i + 100_000);
  }
  const before = s3.seen.length;
  const obj = await driver.uploadObjectViaStream(source(), c, "big/object.bin", { extra: { contentType: "application/x-test", metaData: { k: "v" } } });
  const parts = s3.seen.slice(before).filter((r) => r.method === "PUT" && r.url.includes("partNumber="));
  assert.equal(parts.length, 3);
  assert.equal(obj.size, data.length);
  assert.equal(obj.extra["md5Hash"], createHash("md5").update(data).digest("hex"));
  const head = await driver.getObject(c.name, "big/object.bin");
  assert.equal(head.size, data.length);
  assert.equal(head.extra["contentType"], "application/x-test");
  assert.deepEqual(head.metaData, { k: "v" });
  const file = join(dir, "big.bin");
  assert.equal(await driver.downloadObject(head, file), true);
  assert.ok((await readFile(file)).equals(data));
  assert.ok((await collect(await driver.downloadObjectAsStream(head, { chunkSize: 1024 * 1024 }))).equals(data));
  // uploadObject from a file, single PUT.
  const small = join(dir, "small.txt");
  await writeFile(small, "small file");
  const up = await driver.uploadObject(small, c, "small.txt");
  assert.equal(up.extra["md5Hash"], createHash("md5").update("small file").digest("hex"));
  assert.deepEqual(s3.refused, []);
});

test("S3 on s3rver: range downloads (endBytes exclusive), server-side copy, delete", async () => {
  const c = await driver.createContainer("range-bucket");
  const body = Buffer.from("0123456789abcdefghij");
  const obj = await driver.uploadObjectViaStream([body], c, "r.txt", { extra: { metaData: { a: "b" } } });
  assert.equal((await collect(await driver.downloadObjectRangeAsStream(obj, 5, 10))).toString(), "56789");
  assert.equal((await collect(await driver.downloadObjectRangeAsStream(obj, 15))).toString(), "fghij");
  const file = join(dir, "range.txt");
  await driver.downloadObjectRange(obj, file, 2, 4);
  assert.equal(await readFile(file, "utf8"), "23");
  const copy = await driver.copyObject(obj, c, "copy of r.txt");
  assert.equal(copy.size, body.length);
  assert.deepEqual(copy.metaData, { a: "b" });
  assert.equal((await collect(await driver.downloadObjectAsStream(copy))).toString(), body.toString());
  assert.equal(await driver.deleteObject(copy), true);
  await assert.rejects(driver.deleteObject(copy), ObjectDoesNotExistError);
  assert.deepEqual(s3.refused, []);
});

test("S3 on s3rver: getObjectCdnUrl is a presigned GET that plain curl downloads; expired or tampered URLs are refused", async () => {
  const c = await driver.createContainer("cdn-bucket");
  const obj: StorageObject = await driver.uploadObjectViaStream([Buffer.from("via curl ünï")], c, "dir/ünï name.txt");
  const url = await driver.getObjectCdnUrl(obj, { exExpiry: 1 });
  assert.match(url, /X-Amz-Signature=[0-9a-f]{64}/);
  assert.doesNotMatch(url, new RegExp(s3.secret.replace(/[+/]/g, ".")));
  const { stdout } = await promisify(execFile)("curl", ["-sS", "-f", url], { encoding: "buffer", timeout: 10_000 });
  assert.equal(stdout.toString(), "via curl ünï");
  const tampered = url.replace("X-Amz-Expires=3600", "X-Amz-Expires=7200");
  await assert.rejects(promisify(execFile)("curl", ["-sS", "-f", tampered], { timeout: 10_000 }));
  assert.equal(s3.refused.at(-1)?.code, "SignatureDoesNotMatch");
  s3.refused.length = 0;
});

test("S3 on s3rver: a wrong secret gives InvalidCredsError end to end (the front checks signatures, s3rver does not)", async () => {
  const wrong = newDriver("not-the-secret");
  try {
    await assert.rejects(wrong.listContainers(), InvalidCredsError);
    await assert.rejects(wrong.createContainer("wrong-secret-bucket"), InvalidCredsError);
    await assert.rejects(wrong.getObject("objects-bucket", "plain"), InvalidCredsError);
    assert.ok(s3.refused.length >= 3);
  } finally {
    s3.refused.length = 0;
    await wrong.close();
  }
});

test("Provider constants: getDriver gives the S3 family; MinIO needs a host", () => {
  assert.equal(getDriver(Provider.S3), S3StorageDriver);
  assert.equal(getDriver(Provider.MINIO), MinIOStorageDriver);
  for (const p of [Provider.DIGITALOCEAN_SPACES, Provider.SCALEWAY, Provider.OVH, Provider.S3_RGW, Provider.S3_RGW_OUTSCALE, Provider.AURORAOBJECTS]) {
    assert.equal(typeof getDriver(p), "function");
  }
  assert.throws(() => new MinIOStorageDriver("k", "s"), /host/);
});
