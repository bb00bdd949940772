// Port of libcloud/storage/drivers/s3.py: S3Response.parse_error's 301 ("This bucket is located in a different region").
import { ContainerError, type ContainerErrorOptions } from "../errors.js";

/** Options of an S3BucketRegionError. */
export interface S3BucketRegionErrorOptions extends ContainerErrorOptions {
  /** The bucket's region, as the server stated it (`x-amz-bucket-region`, `<Region>`); null when it did not. */
  bucketRegion: string | null;
  /** The region the request was signed for and sent to. */
  usedRegion: string | null;
}

/**
 * A bucket addressed in the wrong region: S3's 301 PermanentRedirect (which has no Location) or its
 * 400 AuthorizationHeaderMalformed for a credential scoped to another region. libcloud raises a
 * LibcloudError with this message; this one also carries both regions, so the caller can make a
 * driver for `bucketRegion`.
 */
export class S3BucketRegionError extends ContainerError {
  /** The class name, `"S3BucketRegionError"` (also shown by `toString()`). */
  override name = "S3BucketRegionError";
  /** The bucket's region, as the server stated it; null when it did not. */
  readonly bucketRegion: string | null;
  /** The region the request was signed for. */
  readonly usedRegion: string | null;

  constructor(value: unknown, options: S3BucketRegionErrorOptions) {
    super(
      value ?? `This bucket is located in a different region. Please use the correct driver. Bucket region ${JSON.stringify(options.bucketRegion)}, used region ${JSON.stringify(options.usedRegion)}.`,
      options,
    );
    this.bucketRegion = options.bucketRegion;
    this.usedRegion = options.usedRegion;
  }
}
