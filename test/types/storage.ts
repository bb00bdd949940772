// Type tests: getDriver returns each provider's own class, and storage extras are typed. Never run.
import {
  AzureBlobsStorageDriver, Provider, getDriver, type AzureContainerExtra, type AzureObjectExtra, type Container, type StorageObject,
} from "libcloud-ts/storage";

const Azure = getDriver(Provider.AZURE_BLOBS);
const same: typeof AzureBlobsStorageDriver = Azure;
const driver = new Azure("account", "a2V5", { host: "127.0.0.1", port: 10000, secure: false });
const own: AzureBlobsStorageDriver = driver;
// @ts-expect-error an unknown option key is a type error (and a run-time one)
new Azure("account", "a2V5", { hots: "127.0.0.1" });
// @ts-expect-error a provider that does not exist
getDriver("no_such_provider");

// Each driver's containers and objects have its own typed extra.
const container = await driver.getContainer("c");
const etag: string | null = container.extra.etag;
// @ts-expect-error extra is typed
const etagWrong: number = container.extra.etag;
const objects = await driver.listContainerObjects(container);
const md5: string | null = objects[0]!.extra.md5Hash;
// @ts-expect-error no such field in an Azure blob's extra
objects[0]!.extra.nope;
const containers: Container<AzureContainerExtra>[] = await driver.listContainers();
const object: StorageObject<AzureObjectExtra> = await driver.getObject("c", "o");
// A driver's typed objects go wherever the base types are taken.
await driver.deleteObject(object);

export { same, own, etag, etagWrong, md5, containers };
