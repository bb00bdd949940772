// Port of libcloud/storage/providers.py and the Provider enum of libcloud/storage/types.py.
import { LibcloudError } from "../index.js";
import { AzureBlobsStorageDriver } from "./drivers/azure-blobs.js";
import type { StorageDriver } from "./storage-driver.js";

/** The storage providers libcloud-ts has drivers for (`libcloud.storage.types.Provider`). */
export const Provider = {
  /** Azure Blob Storage: {@link AzureBlobsStorageDriver}. */
  AZURE_BLOBS: "azure_blobs",
} as const;

/** A provider name. */
export type Provider = (typeof Provider)[keyof typeof Provider];

/** A storage driver class. */
export type StorageDriverClass = new (key: string, secret?: any, options?: any) => StorageDriver;

const DRIVERS: Readonly<Record<Provider, StorageDriverClass>> = {
  [Provider.AZURE_BLOBS]: AzureBlobsStorageDriver,
};

/** The driver class of a provider (`libcloud.storage.providers.get_driver`). */
export function getDriver(provider: Provider): StorageDriverClass {
  const cls = Object.hasOwn(DRIVERS, provider) ? DRIVERS[provider] : undefined;
  if (cls === undefined) throw new LibcloudError(`Provider ${JSON.stringify(provider)} does not exist`);
  return cls;
}
