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
  /** Azure Blob Storage: {@link AzureBlobsStorageDriver}. */
  AZURE_BLOBS: "azure_blobs",
  /** Amazon S3, any region: {@link S3StorageDriver}. */
  S3: "s3",
  /** MinIO: {@link MinIOStorageDriver}. */
  MINIO: "minio",
  /** DigitalOcean Spaces: {@link DigitalOceanSpacesStorageDriver}. */
  DIGITALOCEAN_SPACES: "digitalocean_spaces",
  /** Scaleway Object Storage: {@link ScalewayStorageDriver}. */
  SCALEWAY: "scaleway",
  /** OVHcloud Object Storage: {@link OvhStorageDriver}. */
  OVH: "ovh",
  /** Ceph RADOS Gateway: {@link S3RGWStorageDriver}. */
  S3_RGW: "s3_rgw",
  /** OUTSCALE's RGW: {@link S3RGWOutscaleStorageDriver}. */
  S3_RGW_OUTSCALE: "s3_rgw_outscale",
  /** AuroraObjects: {@link AuroraObjectsStorageDriver}. */
  AURORAOBJECTS: "auroraobjects",
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
  /** Amazon S3. */
  [Provider.S3]: typeof S3StorageDriver;
  /** MinIO. */
  [Provider.MINIO]: typeof MinIOStorageDriver;
  /** DigitalOcean Spaces. */
  [Provider.DIGITALOCEAN_SPACES]: typeof DigitalOceanSpacesStorageDriver;
  /** Scaleway. */
  [Provider.SCALEWAY]: typeof ScalewayStorageDriver;
  /** OVHcloud. */
  [Provider.OVH]: typeof OvhStorageDriver;
  /** Ceph RGW. */
  [Provider.S3_RGW]: typeof S3RGWStorageDriver;
  /** OUTSCALE. */
  [Provider.S3_RGW_OUTSCALE]: typeof S3RGWOutscaleStorageDriver;
  /** AuroraObjects. */
  [Provider.AURORAOBJECTS]: typeof AuroraObjectsStorageDriver;
}

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
