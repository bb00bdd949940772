// The storage contract (test/storage/contract.ts) for S3StorageDriver on s3rver, behind the front
// that verifies every SigV4 signature.
import { S3StorageDriver, type StorageDriver } from "../../src/storage/index.js";
import { startS3rver } from "../helpers/s3rver.js";
import { runStorageContract } from "./contract.js";

runStorageContract({
  name: "S3StorageDriver on s3rver",
  async start() {
    const s3 = await startS3rver();
    return {
      host: s3.host,
      port: s3.port,
      directPort: s3.directPort,
      makeDriver: (options = {}) => new S3StorageDriver(s3.key, options.wrongSecret === true ? "wrong-secret" : s3.secret, {
        host: s3.host, port: options.port ?? s3.port, secure: false,
      }),
      stop: () => s3.stop(),
    };
  },
  setPageSize: (driver: StorageDriver, size: number) => void ((driver as S3StorageDriver).responsesPerRequest = size),
  partSize: (driver: StorageDriver) => (driver as S3StorageDriver).uploadPartSize,
});
