// Port of libcloud/storage/base.py: Object (StorageObject here: `Object` is JavaScript's own).
import { inspect, type InspectOptionsStylized } from "node:util";
import { inspectView, type InspectFunction } from "../utils/show.js";
import type { Container } from "./container.js";
import type { DownloadObjectOptions, DownloadStreamOptions, StorageDriver } from "./storage-driver.js";

/** What `new StorageObject(...)` takes. */
export interface StorageObjectInit<Extra extends Record<string, unknown> = Record<string, unknown>> {
  /** The object name (may contain `/`). */
  name: string;
  /** Size in bytes. */
  size: number;
  /** The provider's hash of the object (for Azure, its ETag without quotes). */
  hash: string | null;
  /** Provider-specific attributes. @defaultValue `{}` (only for an `Extra` whose fields are optional) */
  extra?: Extra;
  /** User metadata (`meta_data`). */
  metaData?: Record<string, string>;
  /** The container holding the object. */
  container: Container;
  /** The driver the object belongs to. */
  driver: StorageDriver;
}

/**
 * An object (a blob) stored in a container (`libcloud.storage.base.Object`). `Extra` is the type
 * of `extra`, declared by each driver (`AzureObjectExtra` …).
 */
export class StorageObject<Extra extends Record<string, unknown> = Record<string, unknown>> {
  /** The object name (may contain `/`). */
  readonly name: string;
  /** Size in bytes. */
  size: number;
  /** The provider's hash of the object. */
  hash: string | null;
  /** Provider-specific attributes (contentType, etag, md5Hash, lastModified …). */
  extra: Extra;
  /** User metadata. */
  metaData: Record<string, string>;
  /** The container holding the object. */
  readonly container: Container;
  /** The driver this object belongs to. */
  declare readonly driver: StorageDriver;

  constructor(init: StorageObjectInit<Extra>) {
    this.name = init.name;
    this.size = init.size;
    this.hash = init.hash;
    this.extra = init.extra ?? ({} as Extra);
    this.metaData = init.metaData ?? {};
    this.container = init.container;
    Object.defineProperty(this, "driver", { value: init.driver, enumerable: false });
  }

  /** Downloads the object to a file. */
  download(destinationPath: string, options: DownloadObjectOptions = {}): Promise<boolean> {
    return this.driver.downloadObject(this, destinationPath, options);
  }

  /** Downloads the object as an async iterable of Buffers. */
  asStream(options: DownloadStreamOptions = {}): Promise<AsyncIterableIterator<Buffer>> {
    return this.driver.downloadObjectAsStream(this, options);
  }

  /** Downloads bytes `startBytes` up to `endBytes` (exclusive) to a file (libcloud's `range_download`). */
  rangeDownload(destinationPath: string, startBytes: number, endBytes?: number, options: DownloadObjectOptions = {}): Promise<boolean> {
    return this.driver.downloadObjectRange(this, destinationPath, startBytes, endBytes, options);
  }

  /** Downloads bytes `startBytes` up to `endBytes` (exclusive) as an async iterable (libcloud's `range_as_stream`). */
  rangeAsStream(startBytes: number, endBytes?: number, options: DownloadStreamOptions = {}): Promise<AsyncIterableIterator<Buffer>> {
    return this.driver.downloadObjectRangeAsStream(this, startBytes, endBytes, options);
  }

  /** Deletes the object. */
  delete(): Promise<boolean> {
    return this.driver.deleteObject(this);
  }

  /** Shown as its summary (toJSON): never the credentials, even with showHidden. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, fn?: InspectFunction): string {
    return inspectView(this.constructor.name, this.toJSON(), depth, options, fn);
  }

  /** A summary (never the driver's credentials). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, size: this.size, hash: this.hash, container: this.container.name, extra: this.extra, metaData: this.metaData };
  }
}
