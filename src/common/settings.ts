// Port of libcloud's module-wide switches: common.base's ALLOW_PATH_DOUBLE_SLASHES and
// RETRY_FAILED_HTTP_REQUESTS, and libcloud.security's VERIFY_SSL_CERT and CA_CERTS_PATH.

/** Reads a boolean environment switch the way libcloud-ts pins it: `0`, `false`, `no`, `off` or empty are off. */
export function envFlag(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  return !(v === "" || v === "0" || v === "false" || v === "no" || v === "off");
}

/** Module-wide switches, read at each request. Connection options win over them. */
export interface Settings {
  /** Keep `//` in request paths (plain concatenation in morphActionHook). @defaultValue false */
  allowPathDoubleSlashes: boolean;
  /**
   * Retry failed requests (libcloud's `RETRY_FAILED_HTTP_REQUESTS`). A non-empty
   * `LIBCLOUD_RETRY_FAILED_HTTP_REQUESTS`, read at each request as libcloud reads it, wins over
   * this; a request's `retryFailed` wins over both. @defaultValue false
   */
  retryFailedHttpRequests: boolean;
  /** Verify TLS certificates. @defaultValue true */
  verifySslCert: boolean;
  /**
   * An extra CA bundle (PEM path or contents), added to Node's default roots. A missing or directory
   * path is a ConfigError when a connection is made. @defaultValue the `SSL_CERT_FILE` environment
   * variable at import (libcloud.security reads it too), else undefined
   */
  caCertsPath: string | undefined;
  /** Cap on a buffered (non-raw) body, decoded size, in bytes. @defaultValue 100 MiB */
  maxBufferedBodyBytes: number;
}

/** libcloud-ts's module-wide switches (libcloud's module constants and `libcloud.security`). */
export const settings: Settings = {
  allowPathDoubleSlashes: false,
  retryFailedHttpRequests: false,
  verifySslCert: true,
  caCertsPath: process.env["SSL_CERT_FILE"] === "" ? undefined : process.env["SSL_CERT_FILE"],
  maxBufferedBodyBytes: 100 * 1024 * 1024,
};

/**
 * Whether a request retries when it does not say (`retryFailed` unset), read at each request as
 * libcloud's `Connection.request` reads it: a non-empty `LIBCLOUD_RETRY_FAILED_HTTP_REQUESTS`
 * decides (parsed by {@link envFlag}: `0`, `false`, `no`, `off` are off), else
 * `settings.retryFailedHttpRequests`. One environment lookup (~0.3 µs).
 */
export function retryFailedByDefault(): boolean {
  const value = process.env["LIBCLOUD_RETRY_FAILED_HTTP_REQUESTS"];
  return value === undefined || value === "" ? settings.retryFailedHttpRequests : envFlag(value);
}
