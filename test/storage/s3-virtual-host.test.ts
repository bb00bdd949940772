// Virtual-hosted addressing end to end: an S3StorageDriver for a region talks to
// `<bucket>.s3.<region>.amazonaws.com`, and an injected lookup (the transport's `lookup` option, set
// in a connection subclass's transportOptions) resolves those names to 127.0.0.1, where s3rver
// (which routes `<bucket>.s3[.<region>].amazonaws.com` hosts virtual-hosted itself) answers behind
// the front that verifies every SigV4 signature with @smithy/signature-v4 and refuses another
// region. Each request's Host header and path are checked: the bucket is in the host, never in the
// path. Path-style stays for dotted names on AWS and for custom endpoints.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect, type AddressInfo, type LookupFunction, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createServer as createTlsServer } from "node:tls";
import { promisify } from "node:util";
import { InvalidCredsError } from "../../src/index.js";
import type { TransportOptions } from "../../src/http/libcloud-connection.js";
import {
  MinIOStorageDriver, ObjectDoesNotExistError, S3BucketRegionError, S3SignatureV4Connection, S3StorageDriver, type S3StorageDriverOptions,
} from "../../src/storage/index.js";
import { MockHttp, type MockResponse } from "../../src/test/index.js";
import { startS3rver, type S3rver } from "../helpers/s3rver.js";
import { fixture } from "../helpers/tls-server.js";

const REGION = "eu-west-3";
const SERVICE_HOST = `s3.${REGION}.amazonaws.com`;
const BUCKET = "vhost-bucket";

let s3: S3rver;
let dir: string;
/** Every name the drivers' transports resolved. */
const lookedUp: string[] = [];

/** Resolves the names the tests use to 127.0.0.1; any other name is an error (nothing leaves the machine). */
const toLoopback: LookupFunction = (hostname, options, callback) => {
  lookedUp.push(hostname);
  if (!/(\.amazonaws\.com|\.example\.test)$/.test(hostname)) {
    (callback as (e: Error) => void)(Object.assign(new Error(`unexpected lookup of ${hostname}`), { code: "ENOTFOUND" }));
  } else if ((options as { all?: boolean }).all) {
    (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: "127.0.0.1", family: 4 }]);
  } else {
    (callback as (e: null, a: string, f: number) => void)(null, "127.0.0.1", 4);
  }
};

/** The S3 connection with the loopback lookup: the driver's own and every bucket's (connectionFor uses connectionCls). */
class LoopbackS3Connection extends S3SignatureV4Connection {
  protected override transportOptions(): TransportOptions {
    return { ...super.transportOptions(), lookup: toLoopback };
  }
}

class LoopbackS3Driver extends S3StorageDriver {
  static override connectionCls = LoopbackS3Connection;
}

class LoopbackMinIODriver extends MinIOStorageDriver {
  static override connectionCls = LoopbackS3Connection;
}

function regionalDriver(secret = s3.secret, options: S3StorageDriverOptions = {}): LoopbackS3Driver {
  const d = new LoopbackS3Driver(s3.key, secret, { region: REGION, port: s3.port, secure: false, timeout: 10_000, ...options });
  d.uploadPartSize = 64 * 1024; // s3rver does not check S3's 5 MiB minimum
  return d;
}

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of it) chunks.push(c);
  return Buffer.concat(chunks);
}

before(async () => {
  s3 = await startS3rver({ region: REGION, vhostBuckets: false });
  dir = await mkdtemp(join(tmpdir(), "libcloud-ts-s3-vhost-"));
});

after(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

test("Virtual-hosted end to end: <bucket>.s3.<region>.amazonaws.com for create, list, get, upload (single and multipart), download, range, copy, delete and the presigned URL; SigV4 verified, no bucket in any path", { timeout: 60_000 }, async () => {
  const driver = regionalDriver();
  const first = s3.seen.length;
  lookedUp.length = 0;
  try {
    assert.equal(driver.connection.host, SERVICE_HOST);
    const c = await driver.createContainer(BUCKET);
    assert.equal(c.extra.region, REGION);
    assert.ok((await driver.listContainers()).some((b) => b.name === BUCKET));
    assert.equal((await driver.getContainer(BUCKET)).name, BUCKET);

    const small = await driver.uploadObjectViaStream([Buffer.from("small body")], c, "dir/small ünï.txt", { extra: { contentType: "text/plain" } });
    assert.equal(small.extra.url, `http://${BUCKET}.${SERVICE_HOST}:${s3.port}/dir/small%20%C3%BCn%C3%AF.txt`);
    const big = randomBytes(200 * 1024 + 17); // 4 parts of 64 KiB
    const multi = await driver.uploadObjectViaStream((function* () {
      for (let i = 0; i < big.length; i += 10_000) yield big.subarray(i, i + 10_000);
    })(), c, "multi/part.bin");
    assert.equal(multi.size, big.length);
    assert.equal(multi.extra.md5Hash, createHash("md5").update(big).digest("hex"));

    const listed = await driver.listContainerObjects(c);
    assert.deepEqual(listed.map((o) => o.name).sort(), ["dir/small ünï.txt", "multi/part.bin"]);
    assert.deepEqual((await driver.listContainerObjects(c, { prefix: "multi/" })).map((o) => o.name), ["multi/part.bin"]);

    const head = await driver.getObject(BUCKET, "multi/part.bin");
    assert.equal(head.size, big.length);
    const target = join(dir, "part.bin");
    assert.equal(await driver.downloadObject(head, target), true);
    assert.ok((await readFile(target)).equals(big));
    assert.ok((await collect(await driver.downloadObjectAsStream(head))).equals(big));
    assert.ok((await collect(await driver.downloadObjectRangeAsStream(head, 100, 70_000))).equals(big.subarray(100, 70_000)));
    const copy = await driver.copyObject(head, c, "copy.bin");
    assert.equal(copy.size, big.length);

    // The presigned URL names the bucket's own host; plain curl downloads it (its name pinned to 127.0.0.1).
    const url = new URL(await driver.getObjectCdnUrl(small, { exExpiry: 1 }));
    assert.equal(url.host, `${BUCKET}.${SERVICE_HOST}:${s3.port}`);
    assert.equal(url.pathname, "/dir/small%20%C3%BCn%C3%AF.txt");
    assert.match(url.searchParams.get("X-Amz-Credential") ?? "", new RegExp(`^${s3.key}/\\d{8}/${REGION}/s3/aws4_request$`));
    const { stdout } = await promisify(execFile)("curl", ["-sS", "-f", "--resolve", `${url.hostname}:${s3.port}:127.0.0.1`, url.href], {
      encoding: "buffer", timeout: 10_000,
    });
    assert.equal(stdout.toString(), "small body");

    for (const obj of [small, multi, copy]) assert.equal(await driver.deleteObject(obj), true);
    await assert.rejects(driver.getObject(BUCKET, "copy.bin"), ObjectDoesNotExistError);
    assert.equal(await driver.deleteContainer(c), true);

    assert.deepEqual(s3.refused, [], "every signature verified, every credential scoped to the region");
    const seen = s3.seen.slice(first);
    assert.ok(seen.length >= 20, `${seen.length} requests`);
    for (const r of seen) {
      const where = `${r.method} ${r.url} (Host ${r.host})`;
      if (r.host === `${SERVICE_HOST}:${s3.port}`) {
        assert.equal(r.url, "/", `only ListBuckets goes to the service host: ${where}`);
      } else {
        assert.equal(r.host, `${BUCKET}.${SERVICE_HOST}:${s3.port}`, where);
        assert.ok(!r.url.startsWith(`/${BUCKET}`), `no bucket in the path: ${where}`);
      }
    }
    for (const part of ["?uploads", "partNumber=1", "partNumber=4", "uploadId="]) {
      assert.ok(seen.some((r) => r.url.includes(part)), `the multipart upload went virtual-hosted too (${part})`);
    }
    assert.deepEqual([...new Set(lookedUp)].sort(), [`${BUCKET}.${SERVICE_HOST}`, SERVICE_HOST].sort());
  } finally {
    await driver.close();
  }
});

test("Virtual-hosted end to end: a wrong secret (InvalidCredsError) or another region (S3BucketRegionError) is refused on the bucket's host, as S3 does", { timeout: 30_000 }, async () => {
  const driver = regionalDriver();
  const wrong = regionalDriver("not-the-secret");
  const otherRegion = regionalDriver(s3.secret, { host: SERVICE_HOST, region: "eu-west-1" });
  try {
    const c = await driver.createContainer("vhost-refusals");
    await driver.uploadObjectViaStream([Buffer.from("x")], c, "k");
    await assert.rejects(wrong.getObject("vhost-refusals", "k"), InvalidCredsError);
    await assert.rejects(wrong.listContainerObjects(c), InvalidCredsError);
    assert.equal(s3.refused.at(-1)?.code, "SignatureDoesNotMatch");
    await assert.rejects(otherRegion.listContainerObjects(c), (e: unknown) =>
      e instanceof S3BucketRegionError && e.bucketRegion === REGION && e.usedRegion === "eu-west-1" && e.containerName === "vhost-refusals");
    assert.equal(s3.refused.at(-1)?.code, "AuthorizationHeaderMalformed");
    assert.ok(s3.refused.every((r) => !r.url.startsWith("/vhost-refusals")), "refused on the bucket's host, not path-style");
    s3.refused.length = 0;
    await driver.deleteObject(await driver.getObject("vhost-refusals", "k"));
    await driver.deleteContainer(c);
  } finally {
    s3.refused.length = 0;
    await Promise.all([driver.close(), wrong.close(), otherRegion.close()]);
  }
});

test("Path-style stays: a dotted bucket on the AWS host, and a custom endpoint (MinIO) by name, put the bucket in the path", { timeout: 30_000 }, async () => {
  const driver = regionalDriver();
  const minio = new LoopbackMinIODriver(s3.key, s3.secret, { host: "objects.example.test", port: s3.port, secure: false, region: REGION });
  try {
    let first = s3.seen.length;
    const dotted = await driver.createContainer("dotted.vhost.bucket");
    const obj = await driver.uploadObjectViaStream([Buffer.from("dotted")], dotted, "k");
    assert.equal((await collect(await driver.downloadObjectAsStream(obj))).toString(), "dotted");
    await driver.deleteObject(obj);
    await driver.deleteContainer(dotted);
    for (const r of s3.seen.slice(first)) {
      assert.equal(r.host, `${SERVICE_HOST}:${s3.port}`, `${r.method} ${r.url}`);
      assert.ok(r.url.startsWith("/dotted.vhost.bucket"), `${r.method} ${r.url}`);
    }
    first = s3.seen.length;
    const c = await minio.createContainer("minio-path-style");
    const m = await minio.uploadObjectViaStream([Buffer.from("minio")], c, "dir/k");
    assert.equal(m.extra.url, `http://objects.example.test:${s3.port}/minio-path-style/dir/k`);
    assert.equal((await collect(await minio.downloadObjectAsStream(m))).toString(), "minio");
    await minio.deleteObject(m);
    await minio.deleteContainer(c);
    for (const r of s3.seen.slice(first)) {
      assert.equal(r.host, `objects.example.test:${s3.port}`, `${r.method} ${r.url}`);
      assert.ok(r.url.startsWith("/minio-path-style"), `${r.method} ${r.url}`);
    }
    assert.deepEqual(s3.refused, []);
  } finally {
    await Promise.all([driver.close(), minio.close()]);
  }
});

test("A transport class set on the driver's connection (MockHttp, libcloud's conn_class) carries the virtual-hosted buckets' requests too", { timeout: 10_000 }, async () => {
  const hosts: string[] = [];
  class BucketMock extends MockHttp {
    _k(method: string): MockResponse {
      hosts.push(this.host);
      return method === "HEAD" ? [200, "", { ETag: '"abc"', "Content-Length": "3" }] : [404];
    }
  }
  // us-east-1: s3.amazonaws.com, so "mock-bucket" is virtual-hosted on mock-bucket.s3.amazonaws.com.
  const driver = new S3StorageDriver("AKID", "secret", { timeout: 2_000 });
  driver.connection.connCls = BucketMock;
  driver.connection.connect();
  try {
    const obj = await driver.getObject("mock-bucket", "k");
    assert.equal(obj.extra.etag, "abc");
    assert.deepEqual(hosts, ["https://mock-bucket.s3.amazonaws.com"]);
    assert.equal(obj.extra.url, "https://mock-bucket.s3.amazonaws.com/k");
  } finally {
    await driver.close();
  }
});

/** A certificate for `*.s3.<region>.amazonaws.com` signed by the committed test CA, made for this run (openssl). */
async function regionCertificate(into: string): Promise<{ key: string; cert: string }> {
  const run = promisify(execFile);
  const ext = join(into, "ext.cnf");
  await writeFile(ext, `basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:*.${SERVICE_HOST},DNS:${SERVICE_HOST}\n`);
  await run("openssl", ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", join(into, "s3.key"), "-subj", `/CN=${SERVICE_HOST}`, "-out", join(into, "s3.csr")], { timeout: 20_000 });
  await run("openssl", ["x509", "-req", "-in", join(into, "s3.csr"), "-CA", fixture("ca.pem"), "-CAkey", fixture("ca.key"), "-CAserial", join(into, "ca.srl"),
    "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", join(into, "s3.pem")], { timeout: 20_000 });
  return { key: await readFile(join(into, "s3.key"), "utf8"), cert: await readFile(join(into, "s3.pem"), "utf8") };
}

test("Virtual-hosted over HTTPS: SNI and the certificate check use the bucket's host (*.s3.<region>.amazonaws.com, test CA), uploads, downloads and the presigned URL pass through", { timeout: 60_000 }, async () => {
  const certDir = await mkdtemp(join(tmpdir(), "libcloud-ts-s3-tls-"));
  const servernames: string[] = [];
  const sockets = new Set<Socket>();
  const { key, cert } = await regionCertificate(certDir);
  // TLS in front of s3rver's verifying front: the bytes inside are passed on as they are (Host and signature untouched).
  const terminator = createTlsServer({ key, cert }, (tlsSocket) => {
    servernames.push(String((tlsSocket as { servername?: unknown }).servername));
    const upstream = connect({ host: "127.0.0.1", port: s3.port });
    sockets.add(tlsSocket).add(upstream);
    tlsSocket.pipe(upstream).pipe(tlsSocket);
    const drop = (): void => {
      tlsSocket.destroy();
      upstream.destroy();
    };
    tlsSocket.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  });
  await new Promise<void>((r) => terminator.listen(0, "127.0.0.1", r));
  const port = (terminator.address() as AddressInfo).port;
  const driver = regionalDriver(s3.secret, { port, secure: true, caCert: fixture("ca.pem") });
  const first = s3.seen.length;
  try {
    const c = await driver.createContainer("tls-bucket");
    const big = randomBytes(150 * 1024);
    const obj = await driver.uploadObjectViaStream([big], c, "dir/big.bin");
    assert.equal(obj.extra.url, `https://tls-bucket.${SERVICE_HOST}:${port}/dir/big.bin`);
    assert.ok((await collect(await driver.downloadObjectAsStream(await driver.getObject(c.name, "dir/big.bin")))).equals(big));
    const url = new URL(await driver.getObjectCdnUrl(obj, { exExpiry: 1 }));
    assert.equal(url.protocol, "https:");
    const { stdout } = await promisify(execFile)("curl", ["-sS", "-f", "--cacert", fixture("ca.pem"), "--resolve", `${url.hostname}:${port}:127.0.0.1`, url.href], {
      encoding: "buffer", timeout: 10_000, maxBuffer: 1024 * 1024,
    });
    assert.ok(stdout.equals(big));
    await driver.deleteObject(obj);
    await driver.deleteContainer(c);
    assert.deepEqual(s3.refused, []);
    assert.ok(s3.seen.length - first >= 8);
    assert.ok(s3.seen.slice(first).every((r) => r.host === `tls-bucket.${SERVICE_HOST}:${port}`), "every request on the bucket's host");
    assert.deepEqual([...new Set(servernames)], [`tls-bucket.${SERVICE_HOST}`], "SNI names the bucket's host");
  } finally {
    await driver.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => terminator.close(() => r()));
    await rm(certDir, { recursive: true, force: true });
  }
});
