// Case d setup: starts Azurite (the tests' helper, blob service on 127.0.0.1) and makes the
// benchmark container with the driver. If the driver or the helper can't be loaded, or Azurite
// does not start, case d is reported as skipped with the reason.
export interface AzureSetup {
  endpoint: { host: string; port: number; account: string; key: string; container: string };
  stop(): Promise<void>;
}

const CONTAINER = "bench";

export async function startAzure(log: (message: string) => void): Promise<AzureSetup | { skipped: string }> {
  let helper: typeof import("../test/helpers/azurite.js");
  let storage: typeof import("../src/storage/index.js");
  try {
    helper = await import("../test/helpers/azurite.js");
    storage = await import("../src/storage/index.js");
  } catch (error) {
    return { skipped: `driver not ready (${(error as Error).message.split("\n")[0] ?? ""})` };
  }
  let azurite: Awaited<ReturnType<typeof helper.startAzurite>>;
  try {
    azurite = await helper.startAzurite({ timeoutMs: 30_000 });
  } catch (error) {
    return { skipped: `Azurite did not start: ${(error as Error).message.split("\n")[0] ?? ""}` };
  }
  log(`d: Azurite ${azurite.blobEndpoint}`);
  const driver = new storage.AzureBlobsStorageDriver(azurite.account, azurite.key, { host: azurite.host, port: azurite.port, secure: false });
  try {
    await driver.createContainer(CONTAINER);
  } finally {
    await driver.close();
  }
  return {
    endpoint: { host: azurite.host, port: azurite.port, account: azurite.account, key: azurite.key, container: CONTAINER },
    stop: () => azurite.stop(),
  };
}
