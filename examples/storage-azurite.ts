// Example: a storage script with the Azure Blobs driver — create a container, upload, list,
// download as a stream, delete — against Azurite (Microsoft's emulator, a devDependency), which
// this program starts on a free loopback port and always stops.
// Run: npm run build && node dist/examples/storage-azurite.js
// Against a real account: new Driver(accountName, accountKey) (https, <account>.blob.core.windows.net).
import { Provider, getDriver } from "libcloud-ts/storage";
import { startAzurite } from "../test/helpers/azurite.js";

const azurite = await startAzurite();
try {
  const Driver = getDriver(Provider.AZURE_BLOBS);
  const driver = new Driver(azurite.account, azurite.key, { host: azurite.host, port: azurite.port, secure: false });

  const container = await driver.createContainer(`example-${process.pid}`);
  const text = "hello from libcloud-ts\n".repeat(1000);
  const uploaded = await container.uploadObjectViaStream([Buffer.from(text)], "greetings/hello.txt", {
    extra: { contentType: "text/plain" },
  });
  console.log(`uploaded ${uploaded.name} (${uploaded.size} bytes)`);

  for (const obj of await container.listObjects()) console.log(`listed ${obj.name} ${obj.size}`);

  const chunks: Buffer[] = [];
  for await (const chunk of await uploaded.asStream()) chunks.push(chunk);
  const downloaded = Buffer.concat(chunks).toString();
  if (downloaded !== text) throw new Error("the download differs from the upload");
  console.log(`downloaded ${downloaded.length} bytes, identical`);

  await uploaded.delete();
  await container.delete();
  console.log(`deleted ${container.name}`);
} finally {
  await azurite.stop();
}
