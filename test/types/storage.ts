// Type tests: getDriver returns each provider's own class, and storage extras are typed. Never run.
import { AzureBlobsStorageDriver, Provider, getDriver } from "libcloud-ts/storage";

const Azure = getDriver(Provider.AZURE_BLOBS);
const same: typeof AzureBlobsStorageDriver = Azure;
const driver = new Azure("account", "a2V5", { host: "127.0.0.1", port: 10000, secure: false });
const own: AzureBlobsStorageDriver = driver;
// @ts-expect-error an unknown option key is a type error (and a run-time one)
new Azure("account", "a2V5", { hots: "127.0.0.1" });
// @ts-expect-error a provider that does not exist
getDriver("no_such_provider");

export { same, own };
