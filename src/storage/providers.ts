// Port of libcloud/storage/providers.py and the Provider enum of libcloud/storage/types.py.
import { LibcloudError, type BaseDriverOptions } from "../index.js";
import { AzureBlobsStorageDriver } from "./drivers/azure-blobs.js";
import { S3StorageDriver } from "./drivers/s3.js";
import {
  AuroraObjectsStorageDriver, DigitalOceanSpacesStorageDriver, MinIOStorageDriver, OvhStorageDriver, S3RGWOutscaleStorageDriver,
  S3RGWStorageDriver, ScalewayStorageDriver,
} from "./drivers/s3-compatible.js";
import type { StorageDriver } from "./storage-driver.js";

/** The storage providers libcloud-ts has drivers for (`libcloud.storage.types.Provider`). */
export const Provider = {
  AZURE_BLOBS: "azure_blobs",
  S3: "s3",
  MINIO: "minio",
  DIGITALOCEAN_SPACES: "digitalocean_spaces",
  SCALEWAY: "scaleway",
  OVH: "ovh",
  S3_RGW: "s3_rgw",
  S3_RGW_OUTSCALE: "s3_rgw_outscale",
  AURORAOBJECTS: "auroraobjects",
} as const;

/** A provider name. */
export type Provider = (typeof Provider)[keyof typeof Provider];

/** A storage driver class: its credentials, then its options (each driver's own options type). */
export type StorageDriverClass =
  | (new (key: string, options?: BaseDriverOptions) => StorageDriver)
  | (new (key: string, secret: string, options?: BaseDriverOptions) => StorageDriver);

const DRIVERS = {
  [Provider.AZURE_BLOBS]: AzureBlobsStorageDriver,
  [Provider.S3]: S3StorageDriver,
  [Provider.MINIO]: MinIOStorageDriver,
  [Provider.DIGITALOCEAN_SPACES]: DigitalOceanSpacesStorageDriver,
  [Provider.SCALEWAY]: ScalewayStorageDriver,
  [Provider.OVH]: OvhStorageDriver,
  [Provider.S3_RGW]: S3RGWStorageDriver,
  [Provider.S3_RGW_OUTSCALE]: S3RGWOutscaleStorageDriver,
  [Provider.AURORAOBJECTS]: AuroraObjectsStorageDriver,
} as const satisfies Readonly<Record<Provider, StorageDriverClass>>;

/** Each provider's own driver class: what `getDriver(provider)` returns. */
export type ProviderDrivers = typeof DRIVERS;

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
