// Port of libcloud/storage/providers.py and the Provider enum of libcloud/storage/types.py.
import { LibcloudError, type BaseDriverOptions } from "../index.js";
import { AzureBlobsStorageDriver } from "./drivers/azure-blobs.js";
import type { StorageDriver } from "./storage-driver.js";

/** The storage providers libcloud-ts has drivers for (`libcloud.storage.types.Provider`). */
export const Provider = {
  /** Azure Blob Storage: {@link AzureBlobsStorageDriver}. */
  AZURE_BLOBS: "azure_blobs",
} as const;

/** A provider name. */
export type Provider = (typeof Provider)[keyof typeof Provider];

/** A storage driver class: its credentials, then its options (each driver's own options type). */
export type StorageDriverClass =
  | (new (key: string, options?: BaseDriverOptions) => StorageDriver)
  | (new (key: string, secret: string, options?: BaseDriverOptions) => StorageDriver);

/** Each provider's own driver class: what `getDriver(provider)` returns. */
export interface ProviderDrivers {
  /** Azure Blob Storage. */
  [Provider.AZURE_BLOBS]: typeof AzureBlobsStorageDriver;
}

const DRIVERS = {
  [Provider.AZURE_BLOBS]: AzureBlobsStorageDriver,
} as const satisfies ProviderDrivers & Readonly<Record<Provider, StorageDriverClass>>;

/**
 * The driver class of a provider (`libcloud.storage.providers.get_driver`): that driver's own
 * class, so its constructor's options are checked (an unknown key is a type error, as it is a
 * run-time one).
 */
export function getDriver<P extends Provider>(provider: P): ProviderDrivers[P] {
  const cls: StorageDriverClass | undefined = Object.hasOwn(DRIVERS, provider) ? DRIVERS[provider] : undefined;
  if (cls === undefined) throw new LibcloudError(`Provider ${JSON.stringify(provider)} does not exist`);
  return cls as ProviderDrivers[P];
}
