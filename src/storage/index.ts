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
export {
  ContainerError, ObjectError, ContainerDoesNotExistError, ContainerAlreadyExistsError, ContainerIsNotEmptyError,
  InvalidContainerNameError, ObjectDoesNotExistError, ObjectHashMismatchError, InvalidObjectNameError, UploadError, DownloadIncompleteError,
} from "./errors.js";
export type { ContainerErrorOptions, ObjectErrorOptions, DownloadIncompleteErrorOptions } from "./errors.js";
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
export type { DownloadCheck } from "./transfer.js";
