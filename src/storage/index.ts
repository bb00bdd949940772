// libcloud-ts/storage: libcloud.storage's base and reference drivers. Explicit re-exports only.
export { Container } from "./container.js";
export { StorageObject } from "./storage-object.js";
export type { StorageObjectInit } from "./storage-object.js";
export { StorageDriver } from "./storage-driver.js";
export type {
  DownloadObjectOptions, DownloadStreamOptions, ListObjectsOptions, UploadExtra, UploadObjectOptions, UploadStreamOptions,
} from "./storage-driver.js";
export {
  ContainerError, ObjectError, ContainerDoesNotExistError, ContainerAlreadyExistsError, ContainerIsNotEmptyError,
  InvalidContainerNameError, ObjectDoesNotExistError, ObjectHashMismatchError,
} from "./errors.js";
export type { ContainerErrorOptions, ObjectErrorOptions } from "./errors.js";
export { Provider, getDriver } from "./providers.js";
export type { ProviderDrivers, StorageDriverClass } from "./providers.js";
export {
  AzureBlobsStorageDriver, AzureBlobsConnection, AzureBlobsCopyConnection, AzureResponse, AzureRawResponse,
} from "./drivers/azure-blobs.js";
export type {
  AzureBlobsStorageDriverOptions, AzureConnectionOptions, AzureContainerExtra, AzureObjectExtra, AzureLease, AzureSigner,
} from "./drivers/azure-blobs.js";
