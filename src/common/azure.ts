// Port of libcloud/common/azure.py: AzureConnection and its SharedKey signing, for every Azure
// driver (storage today). Each request is signed from that request alone, so concurrent requests
// on one connection never share signing state (PORTING A11).
import { createHmac } from "node:crypto";
import { ConnectionUserAndKey } from "./base/connection-user-and-key.js";
import type { ConnectionOptions } from "./base/connection.js";
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
  const signature = azureHmac(keyBytes, sharedKeyStringToSign(account, { ...request, params, headers }));
  headers["Authorization"] = `SharedKey ${account}:${signature}`;
  return [params, headers];
}

/**
 * An Azure Storage connection signed with SharedKey (`libcloud.common.azure.AzureConnection`):
 * `userId` is the account name, `key` its base64 key. Outside Azure's domains (Azurite) the
 * account is the first path segment (libcloud's `account_prefix`).
 */
export class AzureConnection extends ConnectionUserAndKey {
  /** The decoded account key (non-enumerable). */
  declare readonly keyBytes: Buffer;

  constructor(userId: string, key: string, options: ConnectionOptions = {}) {
    super(userId, key, options);
    decodeAzureKey(this, key);
    if (!isAzureDomain(this.host)) this.requestPath = `/${userId}`;
  }

  override addDefaultHeaders(headers: Record<string, string>): Record<string, string> {
    return azureDefaultHeaders(headers);
  }

  override preConnectHook(params: Params, headers: Record<string, string>, request?: LibcloudRequest): [Params, Record<string, string>] {
    return signSharedKey(this.userId, this.keyBytes, params, headers, request);
  }
}
