// libcloud's S3 extensions (ex_iterate_multipart_uploads, ex_cleanup_all_multipart_uploads,
// ex_storage_class, acl, ex_location …) on s3rver where it supports the call, else on a loopback S3
// that verifies every SigV4 signature with @smithy/signature-v4; each departure is named.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { after, before, test } from "node:test";
import { InvalidCredsError, LibcloudError } from "../../src/index.js";
import {
  Container, REGION_TO_HOST_MAP, S3BucketRegionError, S3MultipartUpload, S3StorageDriver, StorageObject, s3HostForRegion,
} from "../../src/storage/index.js";
import { startS3rver, type S3rver } from "../helpers/s3rver.js";
import { startServer, type TestServer } from "../helpers/server.js";
import { verifySigV4 } from "../helpers/sigv4-verify.js";

const KEY = "AKIDEXTRAS";
const SECRET = "extras/secret+0123456789";
const NS = "http://s3.amazonaws.com/doc/2006-03-01/";

let s3: S3rver;

before(async () => {
  s3 = await startS3rver();
});

after(async () => {
  await s3?.stop();
});

function xmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

interface Upload {
  key: string;
  id: string;
}

/**
 * A loopback S3 that keeps multipart uploads in progress and answers ListMultipartUploads (paged by
 * max-uploads, key-marker/upload-id-marker, with prefix and delimiter) and AbortMultipartUpload as
 * S3 does. Every request's SigV4 signature is verified; a bad one is answered 403.
 */
async function multipartS3(uploads: Upload[], options: { rootTag?: string; failAbort?: string } = {}): Promise<TestServer & { uploads: Upload[] }> {
  const live = [...uploads];
  const server = await startServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const verdict = await verifySigV4({ method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers }, { accessKeyId: KEY, secretAccessKey: SECRET });
    if (!verdict.ok) {
      res.writeHead(403).end(`<Error><Code>${verdict.code}</Code><Message>${verdict.reason}</Message></Error>`);
      return;
    }
    const [, bucket, ...rest] = url.pathname.split("/");
    const key = decodeURIComponent(rest.join("/"));
    if (req.method === "GET" && url.searchParams.has("uploads") && key === "") {
      const max = Number(url.searchParams.get("max-uploads") ?? 1000);
      const prefix = url.searchParams.get("prefix") ?? "";
      const delimiter = url.searchParams.get("delimiter") ?? "";
      const keyMarker = url.searchParams.get("key-marker") ?? "";
      const idMarker = url.searchParams.get("upload-id-marker") ?? "";
      const sorted = live.filter((u) => u.key.startsWith(prefix)).sort((a, b) => (a.key === b.key ? a.id.localeCompare(b.id) : a.key < b.key ? -1 : 1));
      const after = sorted.filter((u) => keyMarker === "" || u.key > keyMarker || (u.key === keyMarker && idMarker !== "" && u.id > idMarker));
      const entries: string[] = [];
      const prefixes = new Set<string>();
      let last: Upload | undefined;
      let truncated = false;
      for (const u of after) {
        if (entries.length + prefixes.size >= max) {
          truncated = true;
          break;
        }
        const cut = delimiter === "" ? -1 : u.key.indexOf(delimiter, prefix.length);
        if (cut >= 0) prefixes.add(u.key.slice(0, cut + delimiter.length));
        else entries.push(`<Upload><Key>${xmlEscape(u.key)}</Key><UploadId>${u.id}</UploadId><Initiator><ID>i</ID><DisplayName>initiator-${u.id}</DisplayName></Initiator><Owner><ID>o</ID><DisplayName>owner</DisplayName></Owner><StorageClass>STANDARD</StorageClass><Initiated>2026-12-01T12:00:00.000Z</Initiated></Upload>`);
        last = u;
      }
      const tag = options.rootTag ?? "ListMultipartUploadsResult";
      res.writeHead(200, { "Content-Type": "application/xml" }).end(
        `<?xml version="1.0" encoding="UTF-8"?><${tag} xmlns="${NS}"><Bucket>${bucket}</Bucket><KeyMarker>${xmlEscape(keyMarker)}</KeyMarker>` +
        `<UploadIdMarker>${idMarker}</UploadIdMarker><NextKeyMarker>${truncated && last ? xmlEscape(last.key) : ""}</NextKeyMarker>` +
        `<NextUploadIdMarker>${truncated && last ? last.id : ""}</NextUploadIdMarker><MaxUploads>${max}</MaxUploads>` +
        `<IsTruncated>${truncated}</IsTruncated>${entries.join("")}${[...prefixes].map((p) => `<CommonPrefixes><Prefix>${xmlEscape(p)}</Prefix></CommonPrefixes>`).join("")}</${tag}>`,
      );
    } else if (req.method === "DELETE" && url.searchParams.has("uploadId")) {
      const id = url.searchParams.get("uploadId");
      if (id === options.failAbort) {
        res.writeHead(403).end("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>");
        return;
      }
      const i = live.findIndex((u) => u.id === id && u.key === key);
      if (i < 0) {
        res.writeHead(404).end("<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>");
        return;
      }
      live.splice(i, 1);
      res.writeHead(204).end();
    } else {
      res.writeHead(501).end("<Error><Code>NotImplemented</Code><Message>not in this fake</Message></Error>");
    }
  });
  return Object.assign(server, { uploads: live });
}

function fakeDriver(server: TestServer, secret = SECRET): S3StorageDriver {
  const d = new S3StorageDriver(KEY, secret, { host: "127.0.0.1", port: server.port, secure: false, region: "us-east-1", retryDelay: 5 });
  d.responsesPerRequest = 2;
  return d;
}

const UPLOADS: Upload[] = [
  { key: "a/1.bin", id: "u1" }, { key: "a/1.bin", id: "u2" }, { key: "a/deep/2.bin", id: "u3" }, { key: "b & c.bin", id: "u4" }, { key: "ünï.bin", id: "u5" },
];

test("exIterateMultipartUploads pages through ListMultipartUploads by key and upload-id markers, with prefix and delimiter (s3rver has no ListMultipartUploads)", { timeout: 10_000 }, async () => {
  const server = await multipartS3(UPLOADS);
  const driver = fakeDriver(server);
  try {
    const c = new Container("mp-bucket", {}, driver);
    const all: S3MultipartUpload[] = [];
    for await (const u of driver.exIterateMultipartUploads(c)) all.push(u);
    assert.deepEqual(all.map((u) => [u.key, u.id]), UPLOADS.map((u) => [u.key, u.id]));
    assert.ok(all.every((u) => u instanceof S3MultipartUpload));
    assert.equal(all[0]!.createdAt, "2026-12-01T12:00:00.000Z");
    assert.equal(all[0]!.initiator, "initiator-u1");
    assert.equal(all[0]!.owner, "owner");
    assert.equal(String(all[3]), "<S3MultipartUpload: key=b & c.bin>");
    assert.equal(inspect(all[3]), "<S3MultipartUpload: key=b & c.bin>");
    // 5 uploads, 2 a page: 3 requests, the 2nd and 3rd with the markers of the page before.
    const lists = server.requests.filter((r) => r.method === "GET");
    assert.equal(lists.length, 3);
    assert.match(lists[1]!.url, /[?&]key-marker=a%2F1\.bin(&|$)/);
    assert.match(lists[1]!.url, /[?&]upload-id-marker=u2(&|$)/);
    assert.match(lists[0]!.url, /^\/mp-bucket\?/);

    const underA: string[] = [];
    for await (const u of driver.exIterateMultipartUploads(c, { prefix: "a/" })) underA.push(u.id);
    assert.deepEqual(underA, ["u1", "u2", "u3"]);
    const topOfA: string[] = [];
    for await (const u of driver.exIterateMultipartUploads(c, { prefix: "a/", delimiter: "/" })) topOfA.push(u.id);
    assert.deepEqual(topOfA, ["u1", "u2"], "a/deep/ is a common prefix, not an upload");
  } finally {
    await driver.close();
    await server.close();
  }
});

test("exCleanupAllMultipartUploads aborts every upload in progress (or those under a prefix), each DELETE ?uploadId signed; a failed abort is thrown", { timeout: 10_000 }, async () => {
  const server = await multipartS3(UPLOADS);
  const driver = fakeDriver(server);
  try {
    const c = new Container("mp-bucket", {}, driver);
    assert.equal(await driver.exCleanupAllMultipartUploads(c, { prefix: "a/" }), 3);
    assert.deepEqual(server.uploads.map((u) => u.id), ["u4", "u5"]);
    const deletes = server.requests.filter((r) => r.method === "DELETE").map((r) => r.url);
    assert.deepEqual(deletes, ["/mp-bucket/a/1.bin?uploadId=u1", "/mp-bucket/a/1.bin?uploadId=u2", "/mp-bucket/a/deep/2.bin?uploadId=u3"]);
    assert.equal(await driver.exCleanupAllMultipartUploads(c), 2);
    assert.deepEqual(server.uploads, []);
    assert.ok(server.requests.some((r) => r.url === "/mp-bucket/b%20%26%20c.bin?uploadId=u4"));
    assert.ok(server.requests.some((r) => r.url === "/mp-bucket/%C3%BCn%C3%AF.bin?uploadId=u5"));
    assert.equal(await driver.exCleanupAllMultipartUploads(c), 0);
  } finally {
    await driver.close();
    await server.close();
  }
  const refusing = await multipartS3(UPLOADS, { failAbort: "u2" });
  const d2 = fakeDriver(refusing);
  try {
    await assert.rejects(d2.exCleanupAllMultipartUploads(new Container("mp-bucket", {}, d2)), InvalidCredsError);
    assert.deepEqual(refusing.uploads.map((u) => u.id), ["u2", "u3", "u4", "u5"], "stopped at the failed abort");
  } finally {
    await d2.close();
    await refusing.close();
  }
});

test("exIterateMultipartUploads: a wrong secret is InvalidCredsError; an answer that is not a ListMultipartUploadsResult is an error, never an empty list", { timeout: 10_000 }, async () => {
  const server = await multipartS3(UPLOADS, { rootTag: "ListBucketResult" });
  const driver = fakeDriver(server);
  const wrong = fakeDriver(server, "not-the-secret");
  try {
    const c = new Container("mp-bucket", {}, driver);
    await assert.rejects(async () => {
      for await (const _ of driver.exIterateMultipartUploads(c)) assert.fail("no upload may be yielded");
    }, (e: unknown) => e instanceof LibcloudError && /ListBucketResult.*does not list multipart uploads/.test(e.message));
    await assert.rejects(wrong.exCleanupAllMultipartUploads(new Container("mp-bucket", {}, wrong)), InvalidCredsError);
  } finally {
    await Promise.all([driver.close(), wrong.close()]);
    await server.close();
  }
});

test("exIterateMultipartUploads on s3rver: ListMultipartUploads is refused 501 NotImplemented (s3rver's departure), as a typed error", { timeout: 20_000 }, async () => {
  const driver = new S3StorageDriver(s3.key, s3.secret, { host: "127.0.0.1", port: s3.port, secure: false });
  try {
    const c = await driver.createContainer("mp-s3rver");
    await assert.rejects(async () => {
      for await (const _ of driver.exIterateMultipartUploads(c)) assert.fail("no upload may be yielded");
    }, (e: unknown) => e instanceof LibcloudError && /NotImplemented/.test(e.message));
    await driver.deleteContainer(c);
    assert.deepEqual(s3.refused, []);
  } finally {
    await driver.close();
  }
});

test("exStorageClass (libcloud's ex_storage_class) on s3rver: sent as x-amz-storage-class with a single PUT and with CreateMultipartUpload, kept by the server, any case taken", { timeout: 20_000 }, async () => {
  const driver = new S3StorageDriver(s3.key, s3.secret, { host: "127.0.0.1", port: s3.port, secure: false });
  driver.uploadPartSize = 64 * 1024;
  const dir = await mkdtemp(join(tmpdir(), "libcloud-ts-s3-class-"));
  try {
    const c = await driver.createContainer("class-bucket");
    const single = await driver.uploadObjectViaStream([Buffer.from("rr")], c, "single", { exStorageClass: "reduced_redundancy" });
    assert.equal(single.extra.storageClass, "REDUCED_REDUNDANCY");
    assert.equal((await driver.getObject(c.name, "single")).extra.storageClass, "REDUCED_REDUNDANCY");
    const multi = await driver.uploadObjectViaStream([randomBytes(150 * 1024)], c, "multi", { exStorageClass: "STANDARD_IA" });
    assert.ok(s3.seen.some((r) => r.method === "POST" && r.url.includes("/class-bucket/multi?uploads")));
    assert.equal(multi.extra.storageClass, "STANDARD_IA");
    assert.equal((await driver.getObject(c.name, "multi")).extra.storageClass, "STANDARD_IA");
    const file = join(dir, "f.bin");
    await writeFile(file, "from a file");
    await driver.uploadObject(file, c, "file", { exStorageClass: "glacier" });
    assert.equal((await driver.getObject(c.name, "file")).extra.storageClass, "GLACIER");
    // Unset, nothing is sent: the bucket's default (s3rver, like S3, then states none on a HEAD).
    await driver.uploadObjectViaStream([Buffer.from("d")], c, "default");
    assert.equal((await driver.getObject(c.name, "default")).extra.storageClass, null);
    // Not a token: refused before anything is sent.
    const before = s3.seen.length;
    await assert.rejects(driver.uploadObjectViaStream([Buffer.from("x")], c, "bad", { exStorageClass: "FAST; x" }), TypeError);
    await assert.rejects(driver.uploadObject(file, c, "bad", { exStorageClass: "" }), /Invalid storage class/);
    assert.equal(s3.seen.length, before);
    for (const name of ["single", "multi", "file", "default"]) await driver.deleteObject(await driver.getObject(c.name, name));
    await driver.deleteContainer(c);
    assert.deepEqual(s3.refused, []);
  } finally {
    await driver.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("extra.acl (libcloud's extra['acl']): x-amz-acl signed and sent with the PUT and CreateMultipartUpload, never with a part; in the result's extra; other values refused (s3rver stores no ACL)", { timeout: 10_000 }, async () => {
  let n = 0;
  const server = await startServer(async (req, res) => {
    const verdict = await verifySigV4({ method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers }, { accessKeyId: KEY, secretAccessKey: SECRET });
    if (!verdict.ok) {
      res.writeHead(403).end(`<Error><Code>${verdict.code}</Code><Message>${verdict.reason}</Message></Error>`);
      return;
    }
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method === "POST" && url.searchParams.has("uploads")) {
      res.writeHead(200).end(`<InitiateMultipartUploadResult xmlns="${NS}"><UploadId>up-${++n}</UploadId></InitiateMultipartUploadResult>`);
    } else if (req.method === "POST") {
      res.writeHead(200).end(`<CompleteMultipartUploadResult xmlns="${NS}"><ETag>"abc-2"</ETag></CompleteMultipartUploadResult>`);
    } else {
      res.writeHead(200, { ETag: `"${createHash("md5").update(Buffer.alloc(0)).digest("hex")}"` }).end();
    }
  });
  const driver = new S3StorageDriver(KEY, SECRET, { host: "127.0.0.1", port: server.port, secure: false });
  driver.uploadPartSize = 1024;
  try {
    const c = new Container("acl-bucket", {}, driver);
    const single = await driver.uploadObjectViaStream([], c, "single", { extra: { acl: "public-read" } });
    assert.equal(single.extra.acl, "public-read");
    const multi = await driver.uploadObjectViaStream([Buffer.alloc(2048, 1)], c, "multi", { extra: { acl: "bucket-owner-full-control" }, exStorageClass: "standard" });
    assert.equal(multi.extra.acl, "bucket-owner-full-control");
    const put = server.requests.find((r) => r.url === "/acl-bucket/single")!;
    assert.equal(put.headers["x-amz-acl"], "public-read");
    assert.match(String(put.headers.authorization), /SignedHeaders=[^,]*x-amz-acl/);
    const initiate = server.requests.find((r) => r.url.startsWith("/acl-bucket/multi?uploads"))!;
    assert.equal(initiate.headers["x-amz-acl"], "bucket-owner-full-control");
    assert.equal(initiate.headers["x-amz-storage-class"], "STANDARD");
    const parts = server.requests.filter((r) => r.url.includes("partNumber="));
    assert.equal(parts.length, 2);
    assert.ok(parts.every((r) => r.headers["x-amz-acl"] === undefined && r.headers["x-amz-storage-class"] === undefined), "parts carry neither");
    const before = server.requests.length;
    await assert.rejects(driver.uploadObjectViaStream([Buffer.from("x")], c, "bad", { extra: { acl: "public" as "public-read" } }), /Invalid canned ACL/);
    assert.equal(server.requests.length, before);
  } finally {
    await driver.close();
    await server.close();
  }
});

test("A bucket in another region: S3's 301 PermanentRedirect (no Location, so not followed) is S3BucketRegionError with both regions, from the body or, for a HEAD, the header", { timeout: 10_000 }, async () => {
  const server = await startServer((req, res) => {
    const headers = { "Content-Type": "application/xml", "x-amz-bucket-region": "ap-south-1" };
    if (req.method === "HEAD") {
      res.writeHead(301, headers).end();
    } else if (req.url?.startsWith("/body-only")) {
      res.writeHead(301, { "Content-Type": "application/xml" }).end(
        "<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message>" +
        "<Endpoint>body-only.s3.ap-south-1.amazonaws.com</Endpoint><Bucket>body-only</Bucket><Region>ap-south-1</Region></Error>",
      );
    } else {
      res.writeHead(301, headers).end("<Error><Code>PermanentRedirect</Code><Message>must be addressed using the specified endpoint</Message></Error>");
    }
  });
  const driver = new S3StorageDriver(KEY, SECRET, { host: "127.0.0.1", port: server.port, secure: false, region: "eu-west-1" });
  const isRegionError = (bucket: string) => (e: unknown): boolean => {
    assert.ok(e instanceof S3BucketRegionError, String(e));
    assert.equal(e.bucketRegion, "ap-south-1");
    assert.equal(e.usedRegion, "eu-west-1");
    assert.equal(e.containerName, bucket);
    assert.equal(e.message, 'This bucket is located in a different region. Please use the correct driver. Bucket region "ap-south-1", used region "eu-west-1".');
    return true;
  };
  try {
    await assert.rejects(driver.getContainer("elsewhere"), isRegionError("elsewhere"));
    await assert.rejects(driver.getObject("elsewhere", "k"), isRegionError("elsewhere"));
    await assert.rejects(driver.listContainerObjects(new Container("elsewhere", {}, driver)), isRegionError("elsewhere"));
    await assert.rejects(driver.listContainerObjects(new Container("body-only", {}, driver)), isRegionError("body-only"));
    assert.equal(server.requests.length, 4, "one request each: a 301 without Location is not followed, nor retried");
  } finally {
    await driver.close();
    await server.close();
  }
});

test("createContainer's exLocation (libcloud's ex_location) is the LocationConstraint, over the driver's region; none for us-east-1 or ''; a bad value is refused before sending", { timeout: 10_000 }, async () => {
  const server = await startServer((_req, res) => void res.writeHead(200).end());
  const east = new S3StorageDriver(KEY, SECRET, { host: "127.0.0.1", port: server.port, secure: false });
  const paris = new S3StorageDriver(KEY, SECRET, { host: "127.0.0.1", port: server.port, secure: false, region: "eu-west-3" });
  try {
    assert.equal((await east.createContainer("b1")).extra.region, null);
    assert.equal((await east.createContainer("b2", { exLocation: "eu-central-1" })).extra.region, "eu-central-1");
    assert.equal((await paris.createContainer("b3")).extra.region, "eu-west-3");
    assert.equal((await paris.createContainer("b4", { exLocation: "" })).extra.region, null);
    const bodies = server.requests.map((r) => [r.url, r.body.toString()]);
    assert.deepEqual(bodies, [
      ["/b1", ""],
      ["/b2", `<CreateBucketConfiguration xmlns="${NS}"><LocationConstraint>eu-central-1</LocationConstraint></CreateBucketConfiguration>`],
      ["/b3", `<CreateBucketConfiguration xmlns="${NS}"><LocationConstraint>eu-west-3</LocationConstraint></CreateBucketConfiguration>`],
      ["/b4", ""],
    ]);
    await assert.rejects(east.createContainer("b5", { exLocation: "<x/>" }), TypeError);
    assert.equal(server.requests.length, 4);
  } finally {
    await Promise.all([east.close(), paris.close()]);
    await server.close();
  }
});

test("Listings carry each object's owner (libcloud's meta_data['owner'], here extra.owner): ListObjectsV2 asks fetch-owner=true, on s3rver", { timeout: 20_000 }, async () => {
  const driver = new S3StorageDriver(s3.key, s3.secret, { host: "127.0.0.1", port: s3.port, secure: false });
  try {
    const c = await driver.createContainer("owner-bucket");
    await driver.uploadObjectViaStream([Buffer.from("o")], c, "owned");
    const [listed] = await driver.listContainerObjects(c);
    assert.equal(listed!.name, "owned");
    assert.ok(listed!.extra.owner !== null && listed!.extra.owner !== undefined, "an owner is listed");
    assert.equal(typeof listed!.extra.owner.id, "string");
    assert.ok(s3.seen.some((r) => r.url.startsWith("/owner-bucket?") && r.url.includes("fetch-owner=true")));
    // A HEAD has no owner: the field is a listing's.
    assert.equal((await driver.getObject(c.name, "owned")).extra.owner, undefined);
    await driver.deleteObject(listed!);
    await driver.deleteContainer(c);
  } finally {
    await driver.close();
  }
});

test("getObjectCdnUrl's default validity is LIBCLOUD_S3_CDN_URL_EXPIRY_HOURS when set (exExpiry wins); a bad value is a TypeError naming it", async () => {
  const saved = process.env["LIBCLOUD_S3_CDN_URL_EXPIRY_HOURS"];
  const driver = new S3StorageDriver("AKID", "secret", { region: "eu-north-1" });
  const obj = new StorageObject({ name: "k", size: 1, hash: null, container: new Container("expiry-bucket", {}, driver), driver });
  const expires = async (options = {}): Promise<string | null> => new URL(await driver.getObjectCdnUrl(obj, options)).searchParams.get("X-Amz-Expires");
  try {
    delete process.env["LIBCLOUD_S3_CDN_URL_EXPIRY_HOURS"];
    assert.equal(await expires(), "86400");
    process.env["LIBCLOUD_S3_CDN_URL_EXPIRY_HOURS"] = "0.5";
    assert.equal(await expires(), "1800");
    assert.equal(await expires({ exExpiry: 2 }), "7200");
    process.env["LIBCLOUD_S3_CDN_URL_EXPIRY_HOURS"] = "";
    assert.equal(await expires(), "86400");
    process.env["LIBCLOUD_S3_CDN_URL_EXPIRY_HOURS"] = "a day";
    await assert.rejects(expires(), (e: unknown) => e instanceof TypeError && /LIBCLOUD_S3_CDN_URL_EXPIRY_HOURS/.test(e.message));
    assert.equal(await expires({ exExpiry: 1 }), "3600");
  } finally {
    if (saved === undefined) delete process.env["LIBCLOUD_S3_CDN_URL_EXPIRY_HOURS"];
    else process.env["LIBCLOUD_S3_CDN_URL_EXPIRY_HOURS"] = saved;
    await driver.close();
  }
});

test("Regions as libcloud 3.4.1's REGION_TO_HOST_MAP: eu-north-1 at s3.eu-north-1.amazonaws.com, me-south-1 listed", () => {
  assert.equal(REGION_TO_HOST_MAP["eu-north-1"], "s3.eu-north-1.amazonaws.com");
  assert.equal(new S3StorageDriver("AKID", "secret", { region: "eu-north-1" }).connection.host, "s3.eu-north-1.amazonaws.com");
  assert.ok(S3StorageDriver.listRegions().includes("me-south-1"));
  assert.equal(s3HostForRegion("me-south-1"), "s3.me-south-1.amazonaws.com");
});
