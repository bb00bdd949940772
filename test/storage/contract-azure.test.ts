// The storage contract (test/storage/contract.ts) for AzureBlobsStorageDriver on Azurite.
import { AzureBlobsStorageDriver, type StorageDriver } from "../../src/storage/index.js";
import { startAzurite } from "../helpers/azurite.js";
import { runStorageContract } from "./contract.js";

runStorageContract({
  name: "AzureBlobsStorageDriver on Azurite",
  async start() {
    const azurite = await startAzurite();
    return {
      host: azurite.host,
      port: azurite.port,
      makeDriver: (options = {}) => new AzureBlobsStorageDriver(azurite.account, options.wrongSecret === true ? Buffer.from("wrong key").toString("base64") : azurite.key, {
        host: azurite.host, port: options.port ?? azurite.port, secure: false,
      }),
      stop: () => azurite.stop(),
    };
  },
  setPageSize: (driver: StorageDriver, size: number) => void ((driver as AzureBlobsStorageDriver).responsesPerRequest = size),
  partSize: (driver: StorageDriver) => (driver as AzureBlobsStorageDriver).uploadChunkSize,
  // Fixed on the azure branch (issue 10 H2/H5/H12, issue 11 range downloads), not yet on main: the lead
  // removes these after merging it.
  knownFailures: {
    ranges: "downloadObjectRange[AsStream] not on main yet",
    H12: "a known size that differs from Content-Length is not checked on main",
    M11: "a file that shrinks is detected only after Put Block List committed it",
    H2: "'../<other container>/<name>' is resolved by morphActionHook and overwrites the other container's object",
  },
});
