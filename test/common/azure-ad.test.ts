// Azure AD authentication (libcloud's auth_type="azureAd"): a loopback token endpoint, a loopback
// storage server, then Azurite started with `--oauth basic` over HTTPS with the test CA.
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { after, before, describe, it } from "node:test";
import { InvalidCredsError } from "../../src/index.js";
import { AzureBlobsStorageDriver, Container, StorageObject } from "../../src/storage/index.js";
import { startAzurite, type Azurite } from "../helpers/azurite.js";
import { startServer, type TestServer } from "../helpers/server.js";

const TENANT = "77777777-7777-7777-7777-777777777777";
const CLIENT_ID = "55555555-5555-5555-5555-555555555555";
const CLIENT_SECRET = "DEKjfhdakkdjfhei~canary-secret";

function caPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "test", "fixtures", "tls", "ca.pem"))) dir = resolve(dir, "..");
  return join(dir, "test", "fixtures", "tls", "ca.pem");
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A JWT as Azure AD shapes it (Azurite's basic OAuth mode checks issuer, audience and lifetime, not the signature). */
function jwt(lifetimeSeconds: number): string {
  const now = Math.floor(Date.now() / 1000);
  return `${b64url({ alg: "RS256", typ: "JWT" })}.${b64url({
    aud: "https://storage.azure.com", iss: `https://sts.windows.net/${TENANT}/`, iat: now - 60, nbf: now - 60, exp: now + lifetimeSeconds,
    appid: CLIENT_ID, tid: TENANT,
  })}.c2lnbmF0dXJl`;
}

/** A loopback Azure AD token endpoint: records each form, answers with `issue()`. */
async function startTokenEndpoint(issue: (n: number) => { status?: number; body: unknown }): Promise<TestServer & { forms: URLSearchParams[]; paths: string[] }> {
  const forms: URLSearchParams[] = [];
  const paths: string[] = [];
  const server = await startServer((req, res, body) => {
    forms.push(new URLSearchParams(body.toString()));
    paths.push(`${req.method} ${req.url}`);
    const { status = 200, body: answer } = issue(forms.length);
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(answer));
  });
  return Object.assign(server, { forms, paths });
}

function adDriver(account: string, options: { host: string; port: number; secure: boolean; tokenPort: number; caCert?: string }): AzureBlobsStorageDriver {
  return new AzureBlobsStorageDriver(account, CLIENT_SECRET, {
    host: options.host, port: options.port, secure: options.secure, ...(options.caCert === undefined ? {} : { caCert: options.caCert }),
    authType: "azureAd", tenantId: TENANT, identity: CLIENT_ID,
    cloudEnvironment: { activeDirectoryEndpointUrl: `http://127.0.0.1:${options.tokenPort}/` },
  });
}

describe("Azure AD authentication against loopback servers", () => {
  it("libcloud: test_storage_driver_azure_ad", async () => {
    const driver = new AzureBlobsStorageDriver("fakeaccount1", "DEKjfhdakkdjfhei~", {
      tenantId: "77777777-7777-7777-7777-777777777777", identity: "55555555-5555-5555-5555-555555555555", authType: "azureAd", secure: true,
    });
    assert.equal(driver.connection.host, "fakeaccount1.blob.core.windows.net");
    await driver.close();
  });

  it("gets a client-credentials token once for concurrent requests, sends it as a bearer, refreshes it 5 minutes before expiry", async () => {
    const tokens = await startTokenEndpoint((n) => ({
      // The first token expires in 301 s: inside libcloud's 5-minute margin a second later.
      body: { token_type: "Bearer", access_token: `token-${n}`, expires_on: String(Math.floor(Date.now() / 1000) + (n === 1 ? 301 : 3600)) },
    }));
    const seen: string[] = [];
    const storage = await startServer((req, res) => {
      seen.push(String(req.headers.authorization));
      res.writeHead(200, { "content-type": "application/xml" }).end("<EnumerationResults><Containers/></EnumerationResults>");
    });
    const driver = adDriver("acct", { host: "127.0.0.1", port: storage.port, secure: false, tokenPort: tokens.port });
    try {
      await Promise.all(Array.from({ length: 5 }, () => driver.listContainers()));
      assert.equal(tokens.forms.length, 1, "one token request for five concurrent calls");
      assert.deepEqual(tokens.paths, [`POST /${TENANT}/oauth2/token`]);
      const form = tokens.forms[0]!;
      assert.equal(form.get("grant_type"), "client_credentials");
      assert.equal(form.get("client_id"), CLIENT_ID);
      assert.equal(form.get("client_secret"), CLIENT_SECRET);
      assert.equal(form.get("resource"), "https://storage.azure.com/");
      assert.deepEqual(seen, Array(5).fill("Bearer token-1"));
      await new Promise((r) => setTimeout(r, 1100)); // now within 5 minutes of expiry
      await driver.listContainers();
      await driver.listContainers();
      assert.equal(tokens.forms.length, 2, "refreshed once, then cached");
      assert.deepEqual(seen.slice(5), ["Bearer token-2", "Bearer token-2"]);
      assert.ok(!inspect(driver.connection, { depth: 5 }).includes("token-2"), "the token is not shown");
      assert.ok(!JSON.stringify(driver.connection.auth).includes(CLIENT_SECRET));
      const obj = new StorageObject({ name: "o", size: 1, hash: null, container: new Container("c", {}, driver), driver });
      await assert.rejects(driver.getObjectCdnUrl(obj), /account key/, "a SAS needs the account key");
    } finally {
      await driver.close();
      await storage.close();
      await tokens.close();
    }
  });

  it("a refused login is an InvalidCredsError with Azure AD's code, never the secret; no storage request is sent", async () => {
    const tokens = await startTokenEndpoint(() => ({
      status: 401, body: { error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret provided." },
    }));
    let storageRequests = 0;
    const storage = await startServer((_req, res) => {
      storageRequests += 1;
      res.writeHead(500).end();
    });
    const driver = adDriver("acct", { host: "127.0.0.1", port: storage.port, secure: false, tokenPort: tokens.port });
    try {
      await assert.rejects(driver.listContainers(), (e: unknown) => {
        assert.ok(e instanceof InvalidCredsError);
        assert.match(e.message, /invalid_client/);
        for (const shown of [e.message, e.stack ?? "", inspect(e, { depth: 5 }), JSON.stringify(e)]) assert.ok(!shown.includes(CLIENT_SECRET));
        return true;
      });
      assert.equal(storageRequests, 0);
    } finally {
      await driver.close();
      await storage.close();
      await tokens.close();
    }
  });

  it("Azure AD options are checked: tenantId and identity are required, authType is one of two", async () => {
    assert.throws(() => new AzureBlobsStorageDriver("acct", "secret", { authType: "azureAd", identity: CLIENT_ID }), InvalidCredsError);
    assert.throws(() => new AzureBlobsStorageDriver("acct", "secret", { authType: "azureAd", tenantId: TENANT }), InvalidCredsError);
    assert.throws(() => new AzureBlobsStorageDriver("acct", "secret", { authType: "oauth" as "azureAd" }), TypeError);
    assert.throws(() => new AzureBlobsStorageDriver("acct", "secret", { tenant_id: TENANT } as never), /did you mean "tenantId"/);
  });
});

describe("Azure AD authentication against Azurite (--oauth basic, HTTPS with the test CA)", () => {
  let azurite: Azurite;
  before(async () => {
    azurite = await startAzurite({ oauth: true });
  });
  after(async () => {
    await azurite?.stop();
  });

  it("creates, uploads, lists and downloads with a bearer token; an expired token is refused", async () => {
    const tokens = await startTokenEndpoint(() => ({ body: { access_token: jwt(3600), expires_in: "3600", token_type: "Bearer" } }));
    const driver = adDriver(azurite.account, { host: "127.0.0.1", port: azurite.port, secure: true, tokenPort: tokens.port, caCert: caPath() });
    try {
      const container = await driver.createContainer(`ad-${process.pid}`);
      const obj = await container.uploadObjectViaStream([Buffer.from("via Azure AD")], "ad.txt");
      assert.deepEqual((await container.listObjects()).map((o) => o.name), ["ad.txt"]);
      const chunks: Buffer[] = [];
      for await (const chunk of await obj.asStream()) chunks.push(chunk);
      assert.equal(Buffer.concat(chunks).toString(), "via Azure AD");
      assert.equal(tokens.forms.length, 1);
    } finally {
      await driver.close();
      await tokens.close();
    }
    const stale = await startTokenEndpoint(() => ({ body: { access_token: jwt(-600), expires_in: "3600", token_type: "Bearer" } }));
    const refused = adDriver(azurite.account, { host: "127.0.0.1", port: azurite.port, secure: true, tokenPort: stale.port, caCert: caPath() });
    try {
      await assert.rejects(refused.listContainers(), (e: unknown) => e instanceof InvalidCredsError && /AuthenticationFailed|expired/i.test(e.message));
    } finally {
      await refused.close();
      await stale.close();
    }
  });
});
