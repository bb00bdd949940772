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
  /** Retry failed requests; from LIBCLOUD_RETRY_FAILED_HTTP_REQUESTS at import. @defaultValue false */
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
  retryFailedHttpRequests: envFlag(process.env["LIBCLOUD_RETRY_FAILED_HTTP_REQUESTS"]),
  verifySslCert: true,
  caCertsPath: process.env["SSL_CERT_FILE"] === "" ? undefined : process.env["SSL_CERT_FILE"],
  maxBufferedBodyBytes: 100 * 1024 * 1024,
};
