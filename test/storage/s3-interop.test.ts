// Interop with AWS's SDK (@aws-sdk/client-s3, @aws-sdk/lib-storage) on s3rver, both ways: objects,
// metadata, content types and multipart uploads written by one are read by the other. Both go
// through the signature-verifying front.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { S3StorageDriver } from "../../src/storage/index.js";
import { startS3rver, type S3rver } from "../helpers/s3rver.js";

process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true";

let s3: S3rver;
let driver: S3StorageDriver;
let sdk: S3Client;

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of it) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

const md5 = (b: Buffer): string => createHash("md5").update(b).digest("hex");

before(async () => {
  s3 = await startS3rver();
  driver = new S3StorageDriver(s3.key, s3.secret, { host: "127.0.0.1", port: s3.port, secure: false });
  sdk = new S3Client({
    endpoint: `http://127.0.0.1:${s3.port}`, region: "us-east-1", forcePathStyle: true,
    credentials: { accessKeyId: s3.key, secretAccessKey: s3.secret },
    // s3rver stores aws-chunked framing as object bytes: checksums only where the API requires them.
    requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED",
  });
  await driver.createContainer("interop-bucket");
});

after(async () => {
  sdk?.destroy();
  await driver?.close();
  await s3?.stop();
});

test("libcloud-ts writes, @aws-sdk/client-s3 reads: a single PUT and a multipart upload, with content type and metadata", async () => {
  const c = await driver.getContainer("interop-bucket");
  const small = Buffer.from("written by libcloud-ts ünï");
  await driver.uploadObjectViaStream([small], c, "from-ours/small ünï.txt", { extra: { contentType: "text/plain; charset=utf-8", metaData: { origin: "libcloud-ts" } } });
  const big = randomBytes(12 * 1024 * 1024 + 5);
  async function* source(): AsyncGenerator<Buffer> {
    for (let i = 0; i < big.length; i += 256 * 1024) yield big.subarray(i, i + 256 * 1024);
  }
  await driver.uploadObjectViaStream(source(), c, "from-ours/big.bin", { extra: { contentType: "application/x-big", metaData: { parts: "3" } } });
  const got = await sdk.send(new GetObjectCommand({ Bucket: "interop-bucket", Key: "from-ours/small ünï.txt" }));
  assert.equal(got.ContentType, "text/plain; charset=utf-8");
  assert.deepEqual(got.Metadata, { origin: "libcloud-ts" });
  assert.ok((await collect(got.Body as AsyncIterable<Uint8Array>)).equals(small));
  const head = await sdk.send(new HeadObjectCommand({ Bucket: "interop-bucket", Key: "from-ours/big.bin" }));
  assert.equal(head.ContentLength, big.length);
  assert.equal(head.ContentType, "application/x-big");
  assert.deepEqual(head.Metadata, { parts: "3" });
  const gotBig = await sdk.send(new GetObjectCommand({ Bucket: "interop-bucket", Key: "from-ours/big.bin" }));
  assert.equal(md5(await collect(gotBig.Body as AsyncIterable<Uint8Array>)), md5(big));
  const listed = await sdk.send(new ListObjectsV2Command({ Bucket: "interop-bucket", Prefix: "from-ours/" }));
  assert.deepEqual(listed.Contents?.map((o) => o.Key).sort(), ["from-ours/big.bin", "from-ours/small ünï.txt"]);
  assert.deepEqual(s3.refused, []);
});

test("@aws-sdk/client-s3 writes (PutObject, lib-storage Upload multipart), libcloud-ts reads", async () => {
  const small = Buffer.from("written by the AWS SDK");
  await sdk.send(new PutObjectCommand({
    Bucket: "interop-bucket", Key: "from-sdk/small.txt", Body: small, ContentType: "text/x-sdk", Metadata: { origin: "aws-sdk", "two-words": "a b" },
  }));
  const big = randomBytes(11 * 1024 * 1024 + 17);
  await new Upload({
    client: sdk, partSize: 5 * 1024 * 1024, queueSize: 2,
    params: { Bucket: "interop-bucket", Key: "from-sdk/big é.bin", Body: big, ContentType: "application/x-sdk-big", Metadata: { kind: "multipart" } },
  }).done();
  const obj = await driver.getObject("interop-bucket", "from-sdk/small.txt");
  assert.equal(obj.extra["contentType"], "text/x-sdk");
  assert.deepEqual(obj.metaData, { origin: "aws-sdk", "two-words": "a b" });
  assert.ok((await collect(await driver.downloadObjectAsStream(obj))).equals(small));
  const bigObj = await driver.getObject("interop-bucket", "from-sdk/big é.bin");
  assert.equal(bigObj.size, big.length);
  assert.equal(bigObj.extra["contentType"], "application/x-sdk-big");
  assert.deepEqual(bigObj.metaData, { kind: "multipart" });
  assert.equal(md5(await collect(await driver.downloadObjectAsStream(bigObj))), md5(big));
  const names = (await driver.listContainerObjects(await driver.getContainer("interop-bucket"), { prefix: "from-sdk/" })).map((o) => o.name).sort();
  assert.deepEqual(names, ["from-sdk/big é.bin", "from-sdk/small.txt"]);
  assert.deepEqual(s3.refused, [], "the SDK's requests verify too");
});
