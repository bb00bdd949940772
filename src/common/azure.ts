// Port of libcloud/common/azure.py: AzureConnection and its SharedKey signing, for every Azure
// driver (storage today). Each request is signed from that request alone, so concurrent requests
// on one connection never share signing state (PORTING A11).
import { createHmac } from "node:crypto";
import { ConnectionUserAndKey } from "./base/connection-user-and-key.js";
import { CONNECTION_OPTION_NAMES, markScopeFree, type ConnectionOptions } from "./base/connection.js";
import { AzureAdTokenSource, type AzureCloudEnvironment } from "./azure-ad.js";
import type { LibcloudRequest, Params } from "./base/request-context.js";
import { InvalidCredsError, LibcloudError } from "./types.js";

/** The x-ms-version Azure Storage requests carry (the one libcloud's storage driver sends). */
export const AZURE_API_VERSION = "2018-11-09";

/** Azure domains (public and sovereign clouds): any other host is addressed path-style (Azurite). */
const AZURE_DOMAIN = /\.core\.(windows\.net|chinacloudapi\.cn|usgovcloudapi\.net|cloudapi\.de)$/i;

/** Whether a host is an Azure Storage domain (else path-style: `/<account>/<container>/<blob>`). */
export function isAzureDomain(host: string): boolean {
  return AZURE_DOMAIN.test(host);
}

function paramText(value: unknown): string {
  return typeof value === "boolean" ? (value ? "True" : "False") : String(value);
}

function headerOf(headers: Record<string, string>, name: string): string {
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) return String(headers[key] ?? "");
  return "";
}

function byteLength(data: unknown): number | undefined {
  if (typeof data === "string") return Buffer.byteLength(data);
  if (data instanceof Uint8Array) return data.length;
  return undefined;
}

/**
 * The SharedKey string to sign (API version 2015-02-21 and later), from one request only: its
 * method, path (as sent), params (decoded values, as the server sees them) and headers.
 */
export function sharedKeyStringToSign(account: string, request: Pick<LibcloudRequest, "method" | "action" | "params" | "headers" | "data">): string {
  const headers = request.headers;
  let contentLength = headerOf(headers, "content-length");
  if (contentLength === "") contentLength = String(byteLength(request.data) ?? "");
  if (contentLength === "0") contentLength = "";
  const standard = [
    "content-encoding", "content-language", null, "content-md5", "content-type", "date",
    "if-modified-since", "if-match", "if-none-match", "if-unmodified-since", "range",
  ].map((name) => (name === null ? contentLength : headerOf(headers, name)));
  const msHeaders = Object.keys(headers)
    .map((k) => [k.toLowerCase(), String(headers[k] ?? "").replace(/\s+/g, " ").trim()] as const)
    .filter(([k]) => k.startsWith("x-ms-"))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}:${v}\n`)
    .join("");
  const path = request.action.split("?")[0] ?? "/";
  const query = new Map<string, string[]>();
  const pairs = Array.isArray(request.params) ? request.params : Object.entries(request.params);
  for (const [name, value] of pairs) {
    if (value === undefined || value === null) continue;
    const values = Array.isArray(value) ? value.map(paramText) : [paramText(value)];
    const key = name.toLowerCase();
    query.set(key, [...(query.get(key) ?? []), ...values]);
  }
  const canonicalQuery = [...query.keys()].sort().map((k) => `\n${k}:${[...query.get(k)!].sort().join(",")}`).join("");
  return `${request.method.toUpperCase()}\n${standard.join("\n")}\n${msHeaders}/${account}${path}${canonicalQuery}`;
}

/** HMAC-SHA256 of `text` with the account key, base64 (SharedKey and SAS signatures). */
export function azureHmac(keyBytes: Buffer, text: string): string {
  return createHmac("sha256", keyBytes).update(text, "utf8").digest("base64");
}

/**
 * The decoded key of an Azure storage account, kept non-enumerable on `target` as `keyBytes`
 * (libcloud decodes it once in the driver's constructor).
 *
 * @throws InvalidCredsError when the key is not base64.
 */
export function decodeAzureKey(target: object, key: string): Buffer {
  const keyBytes = Buffer.from(key, "base64");
  if (keyBytes.length === 0) throw new InvalidCredsError("The Azure account key must be the base64 key of the storage account");
  Object.defineProperty(target, "keyBytes", { value: keyBytes, enumerable: false });
  return keyBytes;
}

/** The headers every Azure Storage request carries (libcloud's AzureConnection.add_default_headers). */
export function azureDefaultHeaders(headers: Record<string, string>): Record<string, string> {
  headers["x-ms-date"] = new Date().toUTCString();
  headers["x-ms-version"] = AZURE_API_VERSION;
  return headers;
}

/** Signs one request with SharedKey: sets its Authorization header (libcloud's `_get_azure_auth_signature`). */
export function signSharedKey(
  account: string, keyBytes: Buffer, params: Params, headers: Record<string, string>, request: LibcloudRequest | undefined,
): [Params, Record<string, string>] {
  if (request === undefined) throw new LibcloudError("Azure requests are signed from the request object");
  const signature = azureHmac(keyBytes, sharedKeyStringToSign(account, { method: request.method, action: request.action, data: request.data, params, headers }));
  headers["Authorization"] = `SharedKey ${account}:${signature}`;
  return [params, headers];
}

/** How an Azure connection authenticates: SharedKey (the default) or Azure AD (libcloud's `auth_type="azureAd"`). */
export type AzureAuthType = "sharedKey" | "azureAd";

/** Options of an Azure Storage connection (and of the drivers that build one). */
export interface AzureConnectionOptions extends ConnectionOptions {
  /** `"azureAd"`: `key` is then a client secret, and `tenantId` and `identity` are required. @defaultValue "sharedKey" */
  authType?: AzureAuthType | undefined;
  /** The Azure AD tenant (directory) id (libcloud's `tenant_id`). */
  tenantId?: string | undefined;
  /** The application (client) id (libcloud's `identity`). */
  identity?: string | undefined;
  /** Where Azure AD lives: a name of AZURE_CLOUD_ENVIRONMENTS or `{ activeDirectoryEndpointUrl }`. @defaultValue "default" */
  cloudEnvironment?: string | AzureCloudEnvironment | undefined;
}

/** The option names Azure connections take beyond a Connection's. */
export const AZURE_OPTION_NAMES = ["authType", "tenantId", "identity", "cloudEnvironment"] as const;
const AZURE_CONNECTION_OPTION_NAMES: ReadonlySet<string> = new Set([...CONNECTION_OPTION_NAMES, ...AZURE_OPTION_NAMES]);

/**
 * How one Azure connection authorises its requests: SharedKey with the account's key, or a
 * bearer token from an AzureAdTokenSource (which connections of one driver share).
 */
export class AzureAuth {
  /** SharedKey or Azure AD. */
  readonly type: AzureAuthType;
  /** The storage account name. */
  readonly account: string;
  /** The account key, base64-decoded (SharedKey; non-enumerable). */
  declare readonly keyBytes: Buffer | undefined;
  /** Where Azure AD tokens come from (Azure AD; non-enumerable). */
  declare tokenSource: AzureAdTokenSource | undefined;

  constructor(account: string, key: string, options: AzureConnectionOptions) {
    this.account = account;
    this.type = options.authType ?? "sharedKey";
    if (this.type !== "sharedKey" && this.type !== "azureAd") throw new TypeError(`authType must be "sharedKey" or "azureAd", got ${JSON.stringify(this.type)}`);
    if (this.type === "sharedKey") {
      decodeAzureKey(this, key);
      Object.defineProperty(this, "tokenSource", { value: undefined, enumerable: false, writable: true });
    } else {
      Object.defineProperty(this, "keyBytes", { value: undefined, enumerable: false });
      const { timeout, proxyUrl, caCert, verifySslCert } = options;
      const connectionOptions: Record<string, unknown> = { timeout, proxyUrl, caCert, verifySslCert };
      for (const k of Object.keys(connectionOptions)) if (connectionOptions[k] === undefined) delete connectionOptions[k];
      const source = new AzureAdTokenSource({
        tenantId: options.tenantId ?? "", clientId: options.identity ?? "", clientSecret: key, cloudEnvironment: options.cloudEnvironment,
        connectionOptions,
      });
      Object.defineProperty(this, "tokenSource", { value: source, enumerable: false, writable: true });
    }
  }

  /** Authorises one request: a SharedKey signature, or `Authorization: Bearer <token>`. */
  authorize(params: Params, headers: Record<string, string>, request: LibcloudRequest | undefined):
    [Params, Record<string, string>] | Promise<[Params, Record<string, string>]> {
    if (this.tokenSource === undefined) return signSharedKey(this.account, this.keyBytes!, params, headers, request);
    return this.tokenSource.getToken(request?.signal).then((token) => {
      headers["Authorization"] = `Bearer ${token}`;
      return [params, headers] as [Params, Record<string, string>];
    });
  }

  /** Releases what the authentication holds (the login connection). */
  async close(): Promise<void> {
    await this.tokenSource?.close();
  }
}

/**
 * An Azure Storage connection (`libcloud.common.azure.AzureConnection`, and with
 * `authType: "azureAd"` `AzureActiveDirectoryConnection`): `userId` is the account name, `key` its
 * base64 key (or, with Azure AD, the client secret). Outside Azure's domains (Azurite) the
 * account is the first path segment (libcloud's `account_prefix`).
 */
export class AzureConnection extends ConnectionUserAndKey {
  static override optionNames: ReadonlySet<string> = AZURE_CONNECTION_OPTION_NAMES;
  /** How requests are authorised (non-enumerable). */
  declare readonly auth: AzureAuth;

  constructor(userId: string, key: string, options: AzureConnectionOptions = {}) {
    super(userId, key, options);
    Object.defineProperty(this, "auth", { value: new AzureAuth(userId, key, options), enumerable: false });
    if (!isAzureDomain(this.host)) this.requestPath = `/${userId}`;
  }

  /** The decoded account key (SharedKey only). */
  get keyBytes(): Buffer | undefined {
    return this.auth.keyBytes;
  }

  override addDefaultHeaders(headers: Record<string, string>): Record<string, string> {
    return azureDefaultHeaders(headers);
  }

  override preConnectHook(params: Params, headers: Record<string, string>, request?: LibcloudRequest):
    [Params, Record<string, string>] | Promise<[Params, Record<string, string>]> {
    return this.auth.authorize(params, headers, request);
  }

  override async close(): Promise<void> {
    await Promise.all([super.close(), this.auth.close()]);
  }
}
// Its hooks read the request from their argument: no async scope per request.
markScopeFree(AzureConnection, "addDefaultHeaders", "preConnectHook");
