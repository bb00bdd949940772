// Port of libcloud/storage/base.py: Container.
import type { StorageObject } from "./storage-object.js";
import type {
  DownloadObjectOptions, DownloadStreamOptions, ListObjectsOptions, StorageDriver, UploadObjectOptions, UploadStreamOptions,
} from "./storage-driver.js";

/**
 * A container (a bucket) of a storage provider (`libcloud.storage.base.Container`). `Extra` is the
 * type of `extra`, declared by each driver (`AzureContainerExtra` …).
 */
export class Container<Extra extends Record<string, unknown> = Record<string, unknown>> {
  /** The container's name. */
  readonly name: string;
  /** Provider-specific attributes (etag, lastModified, metaData …). */
  extra: Extra;
  /** The driver this container belongs to. */
  declare readonly driver: StorageDriver;

  constructor(name: string, extra: Extra, driver: StorageDriver) {
    this.name = name;
    this.extra = extra;
    // Non-enumerable: the driver holds credentials, and containers get logged.
    Object.defineProperty(this, "driver", { value: driver, enumerable: false });
  }

  /** Iterates the container's objects, page by page. */
  iterateObjects(options: ListObjectsOptions = {}): AsyncIterableIterator<StorageObject> {
    return this.driver.iterateContainerObjects(this, options);
  }

  /** Lists the container's objects. */
  listObjects(options: ListObjectsOptions = {}): Promise<StorageObject[]> {
    return this.driver.listContainerObjects(this, options);
  }

  /** Gets an object of this container. */
  getObject(objectName: string): Promise<StorageObject> {
    return this.driver.getObject(this.name, objectName);
  }

  /** Uploads a file into this container. */
  uploadObject(filePath: string, objectName: string, options: UploadObjectOptions = {}): Promise<StorageObject> {
    return this.driver.uploadObject(filePath, this, objectName, options);
  }

  /** Uploads a stream (any async iterable of bytes) into this container. */
  uploadObjectViaStream(iterable: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, objectName: string, options: UploadStreamOptions = {}): Promise<StorageObject> {
    return this.driver.uploadObjectViaStream(iterable, this, objectName, options);
  }

  /** Downloads an object to a file. */
  downloadObject(obj: StorageObject, destinationPath: string, options: DownloadObjectOptions = {}): Promise<boolean> {
    return this.driver.downloadObject(obj, destinationPath, options);
  }

  /** Downloads an object as an async iterable of Buffers. */
  downloadObjectAsStream(obj: StorageObject, options: DownloadStreamOptions = {}): Promise<AsyncIterableIterator<Buffer>> {
    return this.driver.downloadObjectAsStream(obj, options);
  }

  /** Deletes an object. */
  deleteObject(obj: StorageObject): Promise<boolean> {
    return this.driver.deleteObject(obj);
  }

  /** Deletes this container (it must be empty). */
  delete(): Promise<boolean> {
    return this.driver.deleteContainer(this);
  }

  /** A summary (never the driver's credentials). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, extra: this.extra, provider: this.driver.name };
  }
}
