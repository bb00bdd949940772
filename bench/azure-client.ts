// Case d client: the Azure Blob driver of src/storage vs @azure/storage-blob against Azurite.
// HEADs: one small blob's properties, 10 warm-up then `heads` timed. Round trip: upload `bytes` from
// a generated stream, download it as a stream, check the SHA-256 against the source's.
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { performance } from "node:perf_hooks";
import type { ClientResult, ClientTask } from "./client.js";
import { payload as source, payloadSha256 as sha256Of } from "./shared.js";

interface Peer {
  head(): Promise<unknown>;
  /** Uploads then downloads `name`; returns the downloaded bytes' SHA-256 and length. */
  roundTrip(name: string, total: number): Promise<{ sha256: string; bytes: number }>;
  remove(name: string): Promise<void>;
}

async function libcloudTs(az: NonNullable<ClientTask["azure"]>): Promise<Peer> {
  const { AzureBlobsStorageDriver } = await import("../src/storage/index.js");
  const driver = new AzureBlobsStorageDriver(az.account, az.key, { host: az.host, port: az.port, secure: false });
  const container = await driver.getContainer(az.container);
  await driver.uploadObjectViaStream([Buffer.alloc(1024, "x")], container, "head-target-ts");
  return {
    head: () => driver.getObject(az.container, "head-target-ts"),
    async roundTrip(name, total) {
      const obj = await driver.uploadObjectViaStream(source(total), container, name);
      const hash = createHash("sha256");
      let bytes = 0;
      for await (const chunk of await driver.downloadObjectAsStream(obj)) {
        hash.update(chunk);
        bytes += chunk.length;
      }
      return { sha256: hash.digest("hex"), bytes };
    },
    async remove(name) {
      await driver.deleteObject(await driver.getObject(az.container, name));
    },
  };
}

async function azureSdk(az: NonNullable<ClientTask["azure"]>): Promise<Peer> {
  const { BlobServiceClient, StorageSharedKeyCredential } = await import("@azure/storage-blob");
  const service = new BlobServiceClient(`http://${az.host}:${az.port}/${az.account}`, new StorageSharedKeyCredential(az.account, az.key));
  const container = service.getContainerClient(az.container);
  const target = container.getBlockBlobClient("head-target-sdk");
  await target.upload(Buffer.alloc(1024, "x"), 1024);
  return {
    head: () => target.getProperties(),
    async roundTrip(name, total) {
      const blob = container.getBlockBlobClient(name);
      // The SDK's defaults: 8 MiB buffers, 5 in flight.
      await blob.uploadStream(Readable.from(source(total)));
      const response = await blob.download();
      const hash = createHash("sha256");
      let bytes = 0;
      for await (const chunk of response.readableStreamBody!) {
        hash.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
      }
      return { sha256: hash.digest("hex"), bytes };
    },
    async remove(name) {
      await container.getBlockBlobClient(name).delete();
    },
  };
}

export async function runAzureClient(task: ClientTask): Promise<ClientResult> {
  const az = task.azure;
  if (az === undefined) throw new Error("case d needs task.azure");
  const peer = task.peer === "libcloud-ts" ? await libcloudTs(az) : task.peer === "azure-sdk" ? await azureSdk(az) : null;
  if (peer === null) throw new Error(`unknown peer ${task.peer}`);
  const expected = sha256Of(az.bytes);
  for (let i = 0; i < 10; i++) await peer.head();
  const idleRss = process.memoryUsage.rss();
  let t0 = performance.now();
  for (let i = 0; i < az.heads; i++) await peer.head();
  const headsMs = performance.now() - t0;
  const name = `${task.peer}-${process.pid}-${Date.now()}.bin`;
  t0 = performance.now();
  const { sha256, bytes } = await peer.roundTrip(name, az.bytes);
  const roundTripMs = performance.now() - t0;
  if (bytes !== az.bytes || sha256 !== expected) throw new Error(`round trip mismatch: ${bytes} bytes, sha256 ${sha256} (expected ${expected})`);
  await peer.remove(name);
  return { headsMs, roundTripMs, idleRssKb: Math.round(idleRss / 1024) };
}
