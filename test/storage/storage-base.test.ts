// The storage entry point: its public names, its errors, and the line that keeps drivers on the
// public API (the repository's own ESLint rule, run here through ESLint's Node API).
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { LibcloudError } from "../../src/index.js";
import { isAzureDomain } from "../../src/common/azure.js";
import * as storage from "../../src/storage/index.js";

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "eslint.config.js"))) {
    const parent = resolve(dir, "..");
    if (parent === dir) throw new Error("eslint.config.js not found above the test");
    dir = parent;
  }
  return dir;
}

describe("libcloud-ts/storage", () => {
  it("exports exactly these names", () => {
    assert.deepEqual(Object.keys(storage).sort(), [
      "AURORA_OBJECTS_EU_HOST", "AuroraObjectsStorageDriver", "AzureBlobLease", "AzureBlobsConnection",
      "AzureBlobsCopyConnection", "AzureBlobsStorageDriver", "AzureRawResponse", "AzureResponse", "BaseS3Connection",
      "BaseS3StorageDriver", "Container", "ContainerAlreadyExistsError", "ContainerDoesNotExistError", "ContainerError",
      "ContainerIsNotEmptyError", "DO_SPACES_HOSTS_BY_REGION", "DigitalOceanSpacesStorageDriver",
      "DownloadIncompleteError", "InvalidContainerNameError", "InvalidObjectNameError", "MinIOStorageDriver",
      "OVH_HOSTS_BY_REGION", "ObjectDoesNotExistError", "ObjectError", "ObjectHashMismatchError", "OvhStorageDriver",
      "Provider", "REGION_TO_HOST_MAP", "S3BucketRegionError", "S3MultipartUpload", "S3RGWOutscaleStorageDriver",
      "S3RGWStorageDriver", "S3RawResponse", "S3Response", "S3SignatureV4Connection", "S3StorageDriver",
      "S3_API_VERSION", "S3_CANNED_ACLS", "S3_CDN_URL_EXPIRY_HOURS", "S3_CHUNK_SIZE", "S3_DRIVER_OPTION_NAMES",
      "S3_NAMESPACE", "S3_RESPONSES_PER_REQUEST", "S3_RGW_OUTSCALE_HOSTS_BY_REGION", "S3_STORAGE_CLASSES",
      "S3_US_STANDARD_HOST", "SCALEWAY_HOSTS_BY_REGION", "ScalewayStorageDriver", "StorageDriver", "StorageObject",
      "UploadError", "checkContainerName", "checkObjectName", "getDriver", "isIpHost", "s3CannedAcl", "s3Error",
      "s3HostForRegion", "s3StorageClass", "usesVirtualHost",
    ]);
  });

  it("has libcloud's error family, with names and the container or object", () => {
    const e = new storage.ContainerDoesNotExistError("gone", { containerName: "c" });
    assert.ok(e instanceof storage.ContainerError && e instanceof LibcloudError && e instanceof Error);
    assert.equal(e.name, "ContainerDoesNotExistError");
    assert.equal(e.containerName, "c");
    const o = new storage.ObjectHashMismatchError(null, { objectName: "o" });
    assert.ok(o instanceof storage.ObjectError);
    assert.equal(o.message, 'Object "o"');
    for (const cls of [storage.ContainerAlreadyExistsError, storage.ContainerIsNotEmptyError, storage.InvalidContainerNameError]) {
      assert.ok(new cls("x", { containerName: "c" }) instanceof storage.ContainerError);
    }
    assert.ok(new storage.ObjectDoesNotExistError("x", { objectName: "o" }) instanceof storage.ObjectError);
  });

  it("finds drivers by provider, and refuses unknown providers", () => {
    assert.equal(storage.getDriver(storage.Provider.AZURE_BLOBS), storage.AzureBlobsStorageDriver);
    assert.throws(() => storage.getDriver("nope" as storage.Provider), LibcloudError);
    assert.ok(isAzureDomain("acct.blob.core.windows.net"));
    assert.ok(!isAzureDomain("127.0.0.1"));
  });

  it("never shows the account key", () => {
    const driver = new storage.AzureBlobsStorageDriver("acct", Buffer.from("super secret key bytes").toString("base64"));
    const key = driver.secret!;
    assert.ok(!JSON.stringify(driver).includes(key));
    assert.ok(!JSON.stringify(driver.connection).includes(key));
    const container = new storage.Container("c", {}, driver);
    assert.ok(!JSON.stringify(container).includes(key));
  });

  it("keeps the driver on the public API: the lint rule passes on it and catches internal imports", async () => {
    const root = repoRoot();
    const { ESLint } = await import("eslint");
    const tseslint = (await import("typescript-eslint")).default;
    const config = (await import(join(root, "eslint.config.js"))).default as Array<{ files?: string[] }>;
    const driversBlock = config.find((c) => c.files?.includes("src/storage/drivers/**/*.ts"));
    assert.ok(driversBlock, "eslint.config.js has the drivers' import rule");
    const eslint = new ESLint({
      cwd: root,
      overrideConfigFile: true,
      overrideConfig: [{ files: ["**/*.ts"], languageOptions: { parser: tseslint.parser } }, driversBlock],
    });
    const [clean] = await eslint.lintFiles(["src/storage/drivers/azure-blobs.ts"]);
    assert.deepEqual(clean!.messages, []);
    const probe = 'import { Connection } from "../../common/base/connection.js";\nimport { request } from "node:http";\nimport { Agent } from "undici";\n';
    const [bad] = await eslint.lintText(probe, { filePath: join(root, "src/storage/drivers/probe.ts") });
    assert.deepEqual(bad!.messages.map((m) => m.ruleId), ["no-restricted-imports", "no-restricted-imports", "no-restricted-imports"]);

    const source = await readFile(join(root, "src/storage/drivers/azure-blobs.ts"), "utf8");
    const specifiers = [...source.matchAll(/from\s+"([^"]+)"/g)].map((m) => m[1]!);
    for (const s of specifiers) {
      assert.ok(s === "../../index.js" || /^\.\.?\/[a-z-]+\.js$/.test(s) || /^node:(crypto|fs|fs\/promises|path|stream)$/.test(s), `driver imports ${s}`);
    }
  });
});
