// libcloud-ts/storage: libcloud.storage's base and reference drivers. Explicit re-exports only.
export { Container } from "./container.js";
export { StorageObject } from "./storage-object.js";
export type { StorageObjectInit } from "./storage-object.js";
export { StorageDriver } from "./storage-driver.js";
export type {
  DownloadObjectOptions, DownloadSource, DownloadStreamOptions, ListObjectsOptions, UploadExtra, UploadObjectOptions, UploadStreamOptions,
} from "./storage-driver.js";
export { checkContainerName, checkObjectName } from "./names.js";
export type { TransferProgress } from "./transfer.js";
export { runUpload } from "./upload-engine.js";
export type { UploadOutcome, UploadPart, UploadTarget, UploadTotals, UploadEngineOptions } from "./upload-engine.js";
export { inlineHasher } from "./part-hasher.js";
export type { PartHasher, HashJob, HashJobOptions, PartHashes } from "./part-hasher.js";
export { WorkerHasher, defaultUploadHasher } from "./worker-hasher.js";
export type { WorkerHasherOptions } from "./worker-hasher.js";
export {
  ContainerError, ObjectError, ContainerDoesNotExistError, ContainerAlreadyExistsError, ContainerIsNotEmptyError,
  InvalidContainerNameError, ObjectDoesNotExistError, ObjectHashMismatchError, InvalidObjectNameError, UploadError, UploadPartError, DownloadIncompleteError,
} from "./errors.js";
export type { ContainerErrorOptions, ObjectErrorOptions, DownloadIncompleteErrorOptions, UploadPartErrorOptions } from "./errors.js";
export { Provider, getDriver } from "./providers.js";
export type { ProviderDrivers, StorageDriverClass } from "./providers.js";
export {
  AzureBlobsStorageDriver, AzureBlobsConnection, AzureBlobsCopyConnection, AzureResponse, AzureRawResponse,
} from "./drivers/azure-blobs.js";
export type {
  AzureBlobsStorageDriverOptions, AzureCdnUrlOptions, AzureConnectionOptions, AzureUploadObjectOptions, AzureUploadStreamOptions,
  AzureContainerExtra, AzureObjectExtra, AzureLease,
} from "./drivers/azure-blobs.js";
export { AzureBlobLease } from "./drivers/azure-blob-lease.js";
export {
  BaseS3StorageDriver, S3StorageDriver, S3SignatureV4Connection, BaseS3Connection, S3Response, S3RawResponse, s3Error,
  s3HostForRegion, usesVirtualHost, isIpHost, REGION_TO_HOST_MAP, S3_API_VERSION, S3_NAMESPACE, S3_US_STANDARD_HOST, S3_CHUNK_SIZE,
  S3_RESPONSES_PER_REQUEST, S3_CDN_URL_EXPIRY_HOURS, S3_DRIVER_OPTION_NAMES, S3_STORAGE_CLASSES, S3_CANNED_ACLS, s3StorageClass, s3CannedAcl,
} from "./drivers/s3.js";
export type {
  S3StorageDriverOptions, S3CdnUrlOptions, RangeDownloadOptions, S3Context, S3ContainerExtra, S3ObjectExtra, S3MultipartUploadsOptions, S3CreateContainerOptions, S3Owner,
  S3StorageClass, S3CannedAcl, S3UploadExtra, S3UploadStreamOptions, S3UploadObjectOptions,
} from "./drivers/s3.js";
export { S3MultipartUpload } from "./drivers/s3-multipart-upload.js";
export { S3BucketRegionError } from "./drivers/s3-bucket-region-error.js";
export type { S3BucketRegionErrorOptions } from "./drivers/s3-bucket-region-error.js";
export {
  MinIOStorageDriver, DigitalOceanSpacesStorageDriver, ScalewayStorageDriver, OvhStorageDriver, S3RGWStorageDriver,
  S3RGWOutscaleStorageDriver, AuroraObjectsStorageDriver, DO_SPACES_HOSTS_BY_REGION, SCALEWAY_HOSTS_BY_REGION, OVH_HOSTS_BY_REGION,
  S3_RGW_OUTSCALE_HOSTS_BY_REGION, AURORA_OBJECTS_EU_HOST,
} from "./drivers/s3-compatible.js";
export type { DownloadCheck } from "./transfer.js";
