// Port of libcloud's module-wide switches: common.base's ALLOW_PATH_DOUBLE_SLASHES and
// RETRY_FAILED_HTTP_REQUESTS, and libcloud.security's VERIFY_SSL_CERT and CA_CERTS_PATH.
/** Reads a boolean environment switch the way libcloud-ts pins it: `0`, `false`, `no`, `off` or empty are off. */
export function envFlag(value) {
    if (value === undefined)
        return false;
    const v = value.trim().toLowerCase();
    return !(v === "" || v === "0" || v === "false" || v === "no" || v === "off");
}
/** libcloud-ts's module-wide switches (libcloud's module constants and `libcloud.security`). */
export const settings = {
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
export function retryFailedByDefault() {
    const value = process.env["LIBCLOUD_RETRY_FAILED_HTTP_REQUESTS"];
    return value === undefined || value === "" ? settings.retryFailedHttpRequests : envFlag(value);
}
