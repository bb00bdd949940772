// Type tests: getDriver returns each provider's own class, and storage extras are typed. Never run.
import {
  AzureBlobsStorageDriver, MinIOStorageDriver, Provider, S3SignatureV4Connection, S3StorageDriver, getDriver, type AzureContainerExtra,
  type AzureObjectExtra, type Container, type S3ContainerExtra, type S3ObjectExtra, type StorageObject,
} from "libcloud-ts/storage";

const Azure = getDriver(Provider.AZURE_BLOBS);
const same: typeof AzureBlobsStorageDriver = Azure;
const driver = new Azure("account", "a2V5", { host: "127.0.0.1", port: 10000, secure: false });
const own: AzureBlobsStorageDriver = driver;
// @ts-expect-error an unknown option key is a type error (and a run-time one)
new Azure("account", "a2V5", { hots: "127.0.0.1" });
// @ts-expect-error a provider that does not exist
getDriver("no_such_provider");

// Each driver's containers and objects have its own typed extra.
const container = await driver.getContainer("c");
const etag: string | null = container.extra.etag;
// @ts-expect-error extra is typed
const etagWrong: number = container.extra.etag;
const objects = await driver.listContainerObjects(container);
const md5: string | null = objects[0]!.extra.md5Hash;
// @ts-expect-error no such field in an Azure blob's extra
objects[0]!.extra.nope;
const containers: Container<AzureContainerExtra>[] = await driver.listContainers();
const object: StorageObject<AzureObjectExtra> = await driver.getObject("c", "o");
// A driver's typed objects go wherever the base types are taken.
await driver.deleteObject(object);

// The S3 family: getDriver(Provider.S3...) is the driver's own class, its extras are S3's.
const S3 = getDriver(Provider.S3);
const sameS3: typeof S3StorageDriver = S3;
const s3 = new S3("AKID", "secret", { region: "eu-west-3" });
// @ts-expect-error an unknown option key is a type error for S3 too
new S3("AKID", "secret", { regoin: "eu-west-3" });
const s3conn: S3SignatureV4Connection = s3.connection;
const bucket = await s3.getContainer("bucket");
const bucketRegion: string | null = bucket.extra.region;
// @ts-expect-error a bucket's region is a string or null
const bucketRegionWrong: number = bucket.extra.region;
const buckets: Container<S3ContainerExtra>[] = await s3.listContainers();
const created: string | null | undefined = (await s3.createContainer("b2")).extra.creationDate;
const s3obj = await s3.getObject("bucket", "key");
const s3etag: string | null = s3obj.extra.etag;
const s3url: string = s3obj.extra.url;
const storageClass: string | null | undefined = s3obj.extra.storageClass;
// @ts-expect-error an S3 object's etag is a string or null
const s3etagWrong: number = s3obj.extra.etag;
// @ts-expect-error no such field in an S3 object's extra (that is Azure's)
s3obj.extra.lease;
const listed: StorageObject<S3ObjectExtra>[] = await s3.listContainerObjects(bucket);
for await (const o of s3.iterateContainerObjects(bucket)) {
  const lm: string | null | undefined = o.extra.lastModified;
  void lm;
}
const uploaded: StorageObject<S3ObjectExtra> = await s3.uploadObjectViaStream([new Uint8Array(1)], bucket, "k");
const md5s3: string | null | undefined = uploaded.extra.md5Hash;
const copied: StorageObject<S3ObjectExtra> = await s3.copyObject(s3obj, bucket, "k2");
// The S3-compatible subclasses inherit the typing.
const minio = new (getDriver(Provider.MINIO))("k", "s", { host: "127.0.0.1", port: 9000, secure: false });
const minioOwn: MinIOStorageDriver = minio;
const minioEtag: string | null = (await minio.getObject("b", "o")).extra.etag;
// libcloud's S3 extras are typed: canned ACLs, storage classes (AWS's autocompleted), multipart uploads, owners.
await s3.uploadObjectViaStream([], bucket, "k", { extra: { acl: "public-read" }, exStorageClass: "reduced_redundancy" });
// @ts-expect-error not a canned ACL
await s3.uploadObjectViaStream([], bucket, "k", { extra: { acl: "public" } });
// @ts-expect-error exStorageClass is a string
await s3.uploadObject("/f", bucket, "k", { exStorageClass: 3 });
for await (const upload of s3.exIterateMultipartUploads(bucket, { prefix: "a/" })) {
  const uploadId: string = upload.id;
  void uploadId;
}
const aborted: number = await s3.exCleanupAllMultipartUploads(bucket);
const ownerId: string | null | undefined = listed[0]!.extra.owner?.id;
await s3.createContainer("b3", { exLocation: "eu-central-1" });

export {
  same, own, etag, etagWrong, md5, containers, sameS3, s3conn, bucketRegion, bucketRegionWrong, buckets, created, s3etag, s3url, storageClass,
  s3etagWrong, listed, uploaded, md5s3, copied, minioOwn, minioEtag, aborted, ownerId,
};
