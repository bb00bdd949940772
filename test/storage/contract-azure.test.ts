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
});
