// Port of libcloud/storage/drivers/{minio,digitalocean_spaces,scaleway,ovh,rgw,auroraobjects}.py:
// the S3-compatible providers, each a small subclass of BaseS3StorageDriver (SigV4 only, path-style).
import { LibcloudError } from "../../index.js";
import type { StorageObject } from "../storage-object.js";
import { BaseS3StorageDriver, type S3CdnUrlOptions, type S3StorageDriverOptions } from "./s3.js";

function regionHost(driver: string, hosts: Readonly<Record<string, string>>, region: string): string {
  const host = hosts[region];
  if (host === undefined) throw new LibcloudError(`${driver}: unknown region ${JSON.stringify(region)} (known: ${Object.keys(hosts).join(", ")})`);
  return host;
}

/** MinIO (`MinIOStorageDriver`): `host` (or `url`) is required. */
export class MinIOStorageDriver extends BaseS3StorageDriver {
  override name = "MinIO Storage Driver";
  override website = "https://min.io/";

  constructor(key: string, secret: string, options: S3StorageDriverOptions = {}) {
    if (options.host === undefined && options.url === undefined) throw new LibcloudError("MinIOStorageDriver: the host argument is required");
    super(key, secret, options);
  }
}

/** DigitalOcean Spaces regions and their endpoints (`DO_SPACES_HOSTS_BY_REGION`). */
export const DO_SPACES_HOSTS_BY_REGION: Readonly<Record<string, string>> = {
  nyc3: "nyc3.digitaloceanspaces.com",
  ams3: "ams3.digitaloceanspaces.com",
  sfo2: "sfo2.digitaloceanspaces.com",
  sfo3: "sfo3.digitaloceanspaces.com",
  sgp1: "sgp1.digitaloceanspaces.com",
  fra1: "fra1.digitaloceanspaces.com",
};

/** DigitalOcean Spaces (`DigitalOceanSpacesStorageDriver`), region `nyc3` unless given. */
export class DigitalOceanSpacesStorageDriver extends BaseS3StorageDriver {
  override name = "DigitalOcean Spaces";
  override website = "https://www.digitalocean.com/products/object-storage/";

  constructor(key: string, secret: string, options: S3StorageDriverOptions = {}) {
    const region = options.region || "nyc3";
    const host = options.host ?? (options.url === undefined ? regionHost("DigitalOceanSpacesStorageDriver", DO_SPACES_HOSTS_BY_REGION, region) : undefined);
    super(key, secret, { ...options, region, ...(host === undefined ? {} : { host }) });
    this.name = `DigitalOcean Spaces (${region})`;
  }
}

/** Scaleway regions and their endpoints (`REGION_TO_HOST_MAP` of scaleway.py). */
export const SCALEWAY_HOSTS_BY_REGION: Readonly<Record<string, string>> = {
  "fr-par": "s3.fr-par.scw.cloud",
  "nl-ams": "s3.nl-ams.scw.cloud",
  "pl-waw": "s3.pl-waw.scw.cloud",
};

/** Scaleway Object Storage (`ScalewayStorageDriver`), region `fr-par` unless given. */
export class ScalewayStorageDriver extends BaseS3StorageDriver {
  override name = "Scaleway Storage Driver";
  override website = "https://www.scaleway.com/en/object-storage/";
  /** The regions with a known endpoint (`list_regions`). */
  static listRegions(): string[] {
    return Object.keys(SCALEWAY_HOSTS_BY_REGION);
  }

  constructor(key: string, secret: string, options: S3StorageDriverOptions = {}) {
    const region = options.region || "fr-par";
    const host = options.host ?? (options.url === undefined ? regionHost("ScalewayStorageDriver", SCALEWAY_HOSTS_BY_REGION, region) : undefined);
    super(key, secret, { ...options, region, ...(host === undefined ? {} : { host }) });
    this.name = `Scaleway Object Storage (${region})`;
  }
}

/** OVH regions and their endpoints (`REGION_TO_HOST_MAP` of ovh.py). */
export const OVH_HOSTS_BY_REGION: Readonly<Record<string, string>> = {
  sbg: "s3.sbg.perf.cloud.ovh.net",
  gra: "s3.gra.perf.cloud.ovh.net",
};

/** OVHcloud Object Storage (`OvhStorageDriver`), region `sbg` unless given. */
export class OvhStorageDriver extends BaseS3StorageDriver {
  override name = "Ovh Storage Driver";
  override website = "https://www.ovhcloud.com/en/public-cloud/object-storage/";
  /** The regions with a known endpoint (`list_regions`). */
  static listRegions(): string[] {
    return Object.keys(OVH_HOSTS_BY_REGION);
  }

  constructor(key: string, secret: string, options: S3StorageDriverOptions = {}) {
    const region = options.region || "sbg";
    const host = options.host ?? (options.url === undefined ? regionHost("OvhStorageDriver", OVH_HOSTS_BY_REGION, region) : undefined);
    super(key, secret, { ...options, region, ...(host === undefined ? {} : { host }) });
    this.name = `Ovh Object Storage (${region})`;
  }
}

/** Ceph RADOS Gateway (`S3RGWStorageDriver`): `host` required, region `default` unless given. */
export class S3RGWStorageDriver extends BaseS3StorageDriver {
  override name = "Ceph RGW";
  override website = "http://ceph.com/";

  constructor(key: string, secret: string, options: S3StorageDriverOptions = {}) {
    if (options.host === undefined && options.url === undefined) throw new LibcloudError("S3RGWStorageDriver: host required");
    const region = options.region || "default";
    super(key, secret, { ...options, region });
    this.name = `Ceph RGW S3 (${region})`;
    this.exLocationName = region;
  }
}

/** OUTSCALE regions and their endpoints (`S3_RGW_OUTSCALE_HOSTS_BY_REGION`). */
export const S3_RGW_OUTSCALE_HOSTS_BY_REGION: Readonly<Record<string, string>> = {
  "eu-west-1": "osu.eu-west-1.outscale.com",
  "eu-west-2": "osu.eu-west-2.outscale.com",
  "us-west-1": "osu.us-west-1.outscale.com",
  "us-east-2": "osu.us-east-2.outscale.com",
  "cn-southeast-1": "osu.cn-southeast-1.outscale.hk",
};

/** OUTSCALE's Ceph RGW (`S3RGWOutscaleStorageDriver`), region `eu-west-2` unless given. */
export class S3RGWOutscaleStorageDriver extends S3RGWStorageDriver {
  override website = "https://en.outscale.com/";

  constructor(key: string, secret: string, options: S3StorageDriverOptions = {}) {
    const region = options.region || "eu-west-2";
    const host = options.host ?? (options.url === undefined ? regionHost("S3RGWOutscaleStorageDriver", S3_RGW_OUTSCALE_HOSTS_BY_REGION, region) : undefined);
    super(key, secret, { ...options, region, ...(host === undefined ? {} : { host }) });
    this.name = `OUTSCALE Ceph RGW S3 (${region})`;
  }
}

/** AuroraObjects' endpoint (`AURORA_OBJECTS_EU_HOST`). */
export const AURORA_OBJECTS_EU_HOST = "o.auroraobjects.eu";

/** PCextreme AuroraObjects (`AuroraObjectsStorageDriver`): no CDN URLs. */
export class AuroraObjectsStorageDriver extends BaseS3StorageDriver {
  override name = "PCextreme AuroraObjects";
  override website = "https://www.pcextreme.com/aurora/objects";

  constructor(key: string, secret: string, options: S3StorageDriverOptions = {}) {
    super(key, secret, { ...options, ...(options.host === undefined && options.url === undefined ? { host: AURORA_OBJECTS_EU_HOST } : {}) });
  }

  /** Not supported by AuroraObjects (`NO_CDN_SUPPORT_ERROR`). */
  override async getObjectCdnUrl(_obj: StorageObject, _options: S3CdnUrlOptions = {}): Promise<string> {
    throw new LibcloudError("CDN is not supported by AuroraObjects", { driver: this });
  }
}
