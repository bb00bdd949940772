// Port of libcloud/storage/drivers/s3.py: S3MultipartUpload.
import { inspect } from "node:util";

/**
 * A multipart upload in progress: created and neither completed nor aborted
 * (`libcloud.storage.drivers.s3.S3MultipartUpload`), as `exIterateMultipartUploads` lists it.
 * Its parts are stored, and billed, until it is completed or aborted.
 */
export class S3MultipartUpload {
  /** The object (key) being uploaded. */
  readonly key: string;
  /** The upload id S3 gave it. */
  readonly id: string;
  /** When it was started (`Initiated`, ISO 8601 as S3 sends it). */
  readonly createdAt: string | null;
  /** Display name of who started it (`Initiator/DisplayName`). */
  readonly initiator: string | null;
  /** Display name of who will own the object (`Owner/DisplayName`). */
  readonly owner: string | null;

  constructor(key: string, id: string, createdAt: string | null, initiator: string | null, owner: string | null) {
    this.key = key;
    this.id = id;
    this.createdAt = createdAt;
    this.initiator = initiator;
    this.owner = owner;
  }

  /** `<S3MultipartUpload: key=…>`, as libcloud's `__repr__`. */
  toString(): string {
    return `<S3MultipartUpload: key=${this.key}>`;
  }

  /** Shown as libcloud's repr. */
  [inspect.custom](): string {
    return this.toString();
  }
}
