// Port of libcloud/common/azure.py: AzureConnection and its SharedKey signing, for every Azure
// driver (storage today). Each request is signed from that request alone, so concurrent requests
// on one connection never share signing state (PORTING A11).
import { createHmac } from "node:crypto";
import { ConnectionUserAndKey } from "./base/connection-user-and-key.js";
import { CONNECTION_OPTION_NAMES } from "./base/connection.js";
import { AzureAdTokenSource } from "./azure-ad.js";
import { InvalidCredsError, LibcloudError } from "./types.js";
/** The x-ms-version Azure Storage requests carry (the one libcloud's storage driver sends). */
export const AZURE_API_VERSION = "2018-11-09";
/** Azure domains (public and sovereign clouds): any other host is addressed path-style (Azurite). */
const AZURE_DOMAIN = /\.core\.(windows\.net|chinacloudapi\.cn|usgovcloudapi\.net|cloudapi\.de)$/i;
/** Whether a host is an Azure Storage domain (else path-style: `/<account>/<container>/<blob>`). */
export function isAzureDomain(host) {
    return AZURE_DOMAIN.test(host);
}
function paramText(value) {
    return typeof value === "boolean" ? (value ? "True" : "False") : String(value);
}
function headerOf(headers, name) {
    for (const key of Object.keys(headers))
        if (key.toLowerCase() === name)
            return String(headers[key] ?? "");
    return "";
}
function byteLength(data) {
    if (typeof data === "string")
        return Buffer.byteLength(data);
    if (data instanceof Uint8Array)
        return data.length;
    return undefined;
}
/**
 * The SharedKey string to sign (API version 2015-02-21 and later), from one request only: its
 * method, path (as sent), params (decoded values, as the server sees them) and headers.
 */
export function sharedKeyStringToSign(account, request) {
    const headers = request.headers;
    let contentLength = headerOf(headers, "content-length");
    if (contentLength === "")
        contentLength = String(byteLength(request.data) ?? "");
    if (contentLength === "0")
        contentLength = "";
    const standard = [
        "content-encoding", "content-language", null, "content-md5", "content-type", "date",
        "if-modified-since", "if-match", "if-none-match", "if-unmodified-since", "range",
    ].map((name) => (name === null ? contentLength : headerOf(headers, name)));
    const msHeaders = Object.keys(headers)
        .map((k) => [k.toLowerCase(), String(headers[k] ?? "").replace(/\s+/g, " ").trim()])
        .filter(([k]) => k.startsWith("x-ms-"))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => `${k}:${v}\n`)
        .join("");
    const path = request.action.split("?")[0] ?? "/";
    const query = new Map();
    const pairs = Array.isArray(request.params) ? request.params : Object.entries(request.params);
    for (const [name, value] of pairs) {
        if (value === undefined || value === null)
            continue;
        const values = Array.isArray(value) ? value.map(paramText) : [paramText(value)];
        const key = name.toLowerCase();
        query.set(key, [...(query.get(key) ?? []), ...values]);
    }
    const canonicalQuery = [...query.keys()].sort().map((k) => `\n${k}:${[...query.get(k)].sort().join(",")}`).join("");
    return `${request.method.toUpperCase()}\n${standard.join("\n")}\n${msHeaders}/${account}${path}${canonicalQuery}`;
}
/** HMAC-SHA256 of `text` with the account key, base64 (SharedKey and SAS signatures). */
export function azureHmac(keyBytes, text) {
    return createHmac("sha256", keyBytes).update(text, "utf8").digest("base64");
}
/**
 * The decoded key of an Azure storage account, kept non-enumerable on `target` as `keyBytes`
 * (libcloud decodes it once in the driver's constructor).
 *
 * @throws InvalidCredsError when the key is not base64.
 */
export function decodeAzureKey(target, key) {
    const keyBytes = Buffer.from(key, "base64");
    if (keyBytes.length === 0)
        throw new InvalidCredsError("The Azure account key must be the base64 key of the storage account");
    Object.defineProperty(target, "keyBytes", { value: keyBytes, enumerable: false });
    return keyBytes;
}
/** The headers every Azure Storage request carries (libcloud's AzureConnection.add_default_headers). */
export function azureDefaultHeaders(headers) {
    headers["x-ms-date"] = new Date().toUTCString();
    headers["x-ms-version"] = AZURE_API_VERSION;
    return headers;
}
/** Signs one request with SharedKey: sets its Authorization header (libcloud's `_get_azure_auth_signature`). */
export function signSharedKey(account, keyBytes, params, headers, request) {
    if (request === undefined)
        throw new LibcloudError("Azure requests are signed from the request object");
    const signature = azureHmac(keyBytes, sharedKeyStringToSign(account, { ...request, params, headers }));
    headers["Authorization"] = `SharedKey ${account}:${signature}`;
    return [params, headers];
}
/** The option names Azure connections take beyond a Connection's. */
export const AZURE_OPTION_NAMES = ["authType", "tenantId", "identity", "cloudEnvironment"];
const AZURE_CONNECTION_OPTION_NAMES = new Set([...CONNECTION_OPTION_NAMES, ...AZURE_OPTION_NAMES]);
/**
 * How one Azure connection authorises its requests: SharedKey with the account's key, or a
 * bearer token from an AzureAdTokenSource (which connections of one driver share).
 */
export class AzureAuth {
    /** SharedKey or Azure AD. */
    type;
    /** The storage account name. */
    account;
    constructor(account, key, options) {
        this.account = account;
        this.type = options.authType ?? "sharedKey";
        if (this.type !== "sharedKey" && this.type !== "azureAd")
            throw new TypeError(`authType must be "sharedKey" or "azureAd", got ${JSON.stringify(this.type)}`);
        if (this.type === "sharedKey") {
            decodeAzureKey(this, key);
            Object.defineProperty(this, "tokenSource", { value: undefined, enumerable: false, writable: true });
        }
        else {
            Object.defineProperty(this, "keyBytes", { value: undefined, enumerable: false });
            const { timeout, proxyUrl, caCert, verifySslCert } = options;
            const connectionOptions = { timeout, proxyUrl, caCert, verifySslCert };
            for (const k of Object.keys(connectionOptions))
                if (connectionOptions[k] === undefined)
                    delete connectionOptions[k];
            const source = new AzureAdTokenSource({
                tenantId: options.tenantId ?? "", clientId: options.identity ?? "", clientSecret: key, cloudEnvironment: options.cloudEnvironment,
                connectionOptions,
            });
            Object.defineProperty(this, "tokenSource", { value: source, enumerable: false, writable: true });
        }
    }
    /** Authorises one request: a SharedKey signature, or `Authorization: Bearer <token>`. */
    authorize(params, headers, request) {
        if (this.tokenSource === undefined)
            return signSharedKey(this.account, this.keyBytes, params, headers, request);
        return this.tokenSource.getToken(request?.signal).then((token) => {
            headers["Authorization"] = `Bearer ${token}`;
            return [params, headers];
        });
    }
    /** Releases what the authentication holds (the login connection). */
    async close() {
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
    static optionNames = AZURE_CONNECTION_OPTION_NAMES;
    constructor(userId, key, options = {}) {
        super(userId, key, options);
        Object.defineProperty(this, "auth", { value: new AzureAuth(userId, key, options), enumerable: false });
        if (!isAzureDomain(this.host))
            this.requestPath = `/${userId}`;
    }
    /** The decoded account key (SharedKey only). */
    get keyBytes() {
        return this.auth.keyBytes;
    }
    addDefaultHeaders(headers) {
        return azureDefaultHeaders(headers);
    }
    preConnectHook(params, headers, request) {
        return this.auth.authorize(params, headers, request);
    }
    async close() {
        await Promise.all([super.close(), this.auth.close()]);
    }
}
