// Port of libcloud/common/azure.py: AzureActiveDirectoryConnection's token handling
// (`get_client_credentials`, the refresh in `request`), as a token source every Azure connection of
// a driver shares: OAuth2 client credentials (tenant id, client id, client secret) → a bearer
// token, cached, refreshed 5 minutes before it expires, fetched once for concurrent requests.
import { ConnectionUserAndKey } from "./base/connection-user-and-key.js";
import type { ConnectionOptions } from "./base/connection.js";
import { JsonResponse } from "./base/json-response.js";
import { InvalidCredsError } from "./types.js";

/** Where a cloud's Azure AD signs tokens (libcloud's `publicEnvironments`, the keys a storage driver reads). */
export interface AzureCloudEnvironment {
  /** The login endpoint, e.g. `https://login.microsoftonline.com/`. */
  activeDirectoryEndpointUrl: string;
}

/** The clouds libcloud knows by name (`libcloud.common.azure_arm.publicEnvironments`). */
export const AZURE_CLOUD_ENVIRONMENTS: Readonly<Record<string, AzureCloudEnvironment>> = Object.freeze({
  default: { activeDirectoryEndpointUrl: "https://login.microsoftonline.com/" },
  AzureChinaCloud: { activeDirectoryEndpointUrl: "https://login.chinacloudapi.cn/" },
  AzureUSGovernment: { activeDirectoryEndpointUrl: "https://login.microsoftonline.us/" },
  AzureGermanCloud: { activeDirectoryEndpointUrl: "https://login.microsoftonline.de/" },
});

/** The resource storage tokens are for (libcloud's `resource`). */
export const AZURE_STORAGE_RESOURCE = "https://storage.azure.com/";
/** A token is refreshed when it has less than this left (libcloud: 5 minutes). */
export const AZURE_AD_REFRESH_MARGIN_MS = 300_000;

/** What an AzureAdTokenSource needs. */
export interface AzureAdCredentials {
  /** The directory (tenant) id or domain. */
  tenantId: string;
  /** The application (client) id: libcloud's `identity`. */
  clientId: string;
  /** The application's client secret (never printed). */
  clientSecret: string;
  /** A name from AZURE_CLOUD_ENVIRONMENTS or an environment. @defaultValue "default" */
  cloudEnvironment?: string | AzureCloudEnvironment | undefined;
  /** Options of the login connection (timeout, caCert, proxyUrl …). */
  connectionOptions?: Omit<ConnectionOptions, "url" | "host" | "port" | "secure"> | undefined;
}

/** The login endpoint's connection: a key connection, so the log scrubs the client secret from the form body. */
class AzureAdLoginConnection extends ConnectionUserAndKey {
  static override responseCls = JsonResponse;
}

/**
 * An Azure AD bearer token for storage, from the client-credentials grant
 * (`POST <login>/<tenant>/oauth2/token`): cached, refreshed once less than 5 minutes remain, one
 * fetch at a time however many requests wait for it. A refused login is an InvalidCredsError
 * with Azure AD's error code (never the secret).
 */
export class AzureAdTokenSource {
  /** The directory (tenant) id or domain. */
  readonly tenantId: string;
  /** The application (client) id. */
  readonly clientId: string;
  readonly #connection: AzureAdLoginConnection;
  #token: { value: string; expiresAt: number } | undefined;
  #pending: Promise<string> | undefined;
  /** Tokens fetched so far (for tests and diagnostics). */
  fetches = 0;

  constructor(credentials: AzureAdCredentials) {
    const { tenantId, clientId, clientSecret, cloudEnvironment = "default", connectionOptions = {} } = credentials;
    for (const [name, value] of Object.entries({ tenantId, clientId, clientSecret })) {
      if (typeof value !== "string" || value === "") throw new InvalidCredsError(`Azure AD authentication needs ${name}`);
    }
    if (!/^[A-Za-z0-9.-]+$/.test(tenantId)) throw new InvalidCredsError("The Azure AD tenant id must be a GUID or a domain name");
    const environment = typeof cloudEnvironment === "string" ? AZURE_CLOUD_ENVIRONMENTS[cloudEnvironment] : cloudEnvironment;
    if (environment === undefined) {
      throw new TypeError(`cloudEnvironment must be one of ${Object.keys(AZURE_CLOUD_ENVIRONMENTS).join(", ")} or { activeDirectoryEndpointUrl }`);
    }
    this.tenantId = tenantId;
    this.clientId = clientId;
    this.#connection = new AzureAdLoginConnection(clientId, clientSecret, { ...connectionOptions, url: environment.activeDirectoryEndpointUrl });
    this.#connection.connect();
  }

  /** A valid token: the cached one, or a fresh one when it has less than 5 minutes left. */
  async getToken(signal?: AbortSignal): Promise<string> {
    const token = this.#token;
    if (token !== undefined && Date.now() + AZURE_AD_REFRESH_MARGIN_MS < token.expiresAt) return token.value;
    this.#pending ??= this.#fetch(signal).finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #fetch(signal: AbortSignal | undefined): Promise<string> {
    this.fetches += 1;
    const form = new URLSearchParams({
      grant_type: "client_credentials", client_id: this.clientId, client_secret: this.#connection.key, resource: AZURE_STORAGE_RESOURCE,
    }).toString();
    let response: JsonResponse;
    try {
      response = await this.#connection.request(`/${this.tenantId}/oauth2/token`, {
        method: "POST", data: form, headers: { "Content-Type": "application/x-www-form-urlencoded" }, signal,
      });
    } catch (error) {
      const status = (error as { statusCode?: number; code?: number }).statusCode ?? (error as { code?: unknown }).code;
      if (status === 400 || status === 401 || status === 403) {
        const value = (error as { value?: unknown }).value;
        const code = typeof value === "object" && value !== null ? (value as { error?: unknown }).error : undefined;
        throw new InvalidCredsError(`Azure AD refused the client credentials (${typeof code === "string" ? code : `HTTP ${String(status)}`})`, { cause: error });
      }
      throw error;
    }
    const body = response.object as { access_token?: unknown; expires_on?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== "string" || body.access_token === "") throw new InvalidCredsError("Azure AD answered without an access_token");
    const expiresAt = body.expires_on !== undefined ? Number(body.expires_on) * 1000 : Date.now() + Number(body.expires_in ?? 0) * 1000;
    if (!Number.isFinite(expiresAt)) throw new InvalidCredsError("Azure AD answered without a valid expiry");
    this.#token = { value: body.access_token, expiresAt };
    return body.access_token;
  }

  /** Closes the login connection. */
  async close(): Promise<void> {
    await this.#connection.close();
  }

  /** A summary: never the secret or the token. */
  toJSON(): Record<string, unknown> {
    return { tenantId: this.tenantId, clientId: this.clientId };
  }
}
