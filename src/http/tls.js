// Port of libcloud/security.py and the TLS half of libcloud/http.py: CA bundles that add to the
// default roots, an explicit verification switch that warns once, and client certificates checked
// when the connection is made (not at the first request).
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import * as nodeTls from "node:tls";
import { createSecureContext, rootCertificates } from "node:tls";
import { ConfigError } from "../common/types.js";
/**
 * Checks a PEM given as contents or as a path without reading it (connection constructors call
 * this; the transport reads the file once, at connect): a missing or directory path is a
 * ConfigError. Returns true when `value` is the PEM itself.
 */
export function checkPemSource(value, what) {
    return pemFileStats(value, what) === null;
}
/** null for a PEM given as contents; else the file's stats (a missing or directory path is a ConfigError). */
function pemFileStats(value, what) {
    if (value.includes("-----BEGIN"))
        return null;
    let stats;
    try {
        stats = statSync(value);
    }
    catch {
        throw new ConfigError(`${what} file ${value} doesn't exist`);
    }
    if (stats.isDirectory())
        throw new ConfigError(`${what} file ${value} can't be a directory`);
    return stats;
}
/** What identifies a PEM source for the context cache: the contents, or a file's path, size and mtime. */
function pemIdentity(value, what) {
    const stats = pemFileStats(value, what);
    return stats === null ? `pem:${value}` : `file:${value}:${stats.size}:${stats.mtimeMs}`;
}
/** Reads a PEM given as contents or as a path; a missing or directory path is a ConfigError. */
export function loadPem(value, what) {
    return checkPemSource(value, what) ? value : readFileSync(value, "utf8");
}
/** libcloud's VERIFY_SSL_DISABLED_MSG. */
export const VERIFY_SSL_DISABLED_MSG = "SSL certificate verification is disabled, this can pose a security risk. For more information how to enable SSL certificate verification, please visit the libcloud documentation.";
let warnedInsecure = false;
/** Emits the "verification disabled" warning, once per process. */
export function warnInsecureOnce() {
    if (warnedInsecure)
        return;
    warnedInsecure = true;
    process.emitWarning(VERIFY_SSL_DISABLED_MSG, { code: "LIBCLOUD_VERIFY_SSL_DISABLED" });
}
/**
 * Node's default CA store as PEMs: `tls.getCACertificates("default")` where Node has it (22.15+),
 * else the bundled roots plus the NODE_EXTRA_CA_CERTS file. (Giving `ca` replaces Node's store, so
 * "adding" a CA means giving the defaults too; `addCACert` on a context would drop the extra certs.)
 */
function defaultCaCertificates() {
    const get = nodeTls.getCACertificates;
    if (typeof get === "function")
        return get("default");
    const out = [...rootCertificates];
    const extra = process.env["NODE_EXTRA_CA_CERTS"];
    if (extra !== undefined && extra !== "") {
        try {
            out.push(readFileSync(extra, "utf8"));
        }
        catch {
            // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS; so do we (by ignoring it).
        }
    }
    return out;
}
/**
 * Builds the TLS options of one connection (used for the target, the proxy and tunnelled targets
 * alike). Verification is explicit (`rejectUnauthorized` is always set, so
 * NODE_TLS_REJECT_UNAUTHORIZED is ignored). Extra CA certificates are *added* to Node's default
 * store (bundled roots plus NODE_EXTRA_CA_CERTS), never replace it. A client certificate whose key
 * does not match, or a wrong passphrase, is a ConfigError now, naming neither key nor passphrase.
 */
export function buildTlsOptions(settings) {
    if (!settings.verify)
        warnInsecureOnce();
    // Parsing ~150 roots costs tens of ms, so contexts are shared between connections whose TLS
    // material is identical (keyed by a hash, never the material). A file is known by its path, size
    // and mtime, so a 200 KB bundle (SSL_CERT_FILE) is not read and hashed again for every connection.
    // Pools and sessions stay per connection.
    const identity = (value, what) => (value === undefined ? undefined : pemIdentity(value, what));
    const cacheKey = createHash("sha256")
        .update(JSON.stringify([identity(settings.caCert, "Certificate"), identity(settings.certFile, "Certificate"), identity(settings.keyFile, "Key"), settings.keyPassphrase]))
        .digest("hex");
    const cached = contexts.get(cacheKey);
    if (cached !== undefined)
        return { rejectUnauthorized: settings.verify, secureContext: cached };
    const extraCa = settings.caCert === undefined ? undefined : loadPem(settings.caCert, "Certificate");
    const cert = settings.certFile === undefined ? undefined : loadPem(settings.certFile, "Certificate");
    const key = settings.keyFile === undefined ? undefined : loadPem(settings.keyFile, "Key");
    let secureContext;
    try {
        secureContext = createSecureContext({
            ...(extraCa === undefined ? {} : { ca: [...defaultCaCertificates(), extraCa] }),
            ...(cert === undefined ? {} : { cert }),
            // A certificate file may carry its key (libcloud's CertificateConnection takes one file).
            ...(key !== undefined ? { key } : cert !== undefined && cert.includes("PRIVATE KEY-----") ? { key: cert } : {}),
            ...(settings.keyPassphrase === undefined ? {} : { passphrase: settings.keyPassphrase }),
        });
    }
    catch (cause) {
        const what = /key|decrypt|PEM|passphrase/i.test(String(cause.message)) || extraCa === undefined ? "client certificate or key" : "CA certificate, client certificate or key";
        throw new ConfigError(`Invalid ${what} (${describeTlsFailure(cause)})`, { cause: sanitize(cause) });
    }
    contexts.set(cacheKey, secureContext);
    if (contexts.size > MAX_CACHED_CONTEXTS)
        contexts.delete(contexts.keys().next().value);
    return { rejectUnauthorized: settings.verify, secureContext };
}
const MAX_CACHED_CONTEXTS = 32;
const contexts = new Map();
/** A short reason from an OpenSSL error, e.g. "key values mismatch", "bad decrypt". */
function describeTlsFailure(error) {
    const message = error instanceof Error ? error.message : String(error);
    const reason = /::([^:]+)$/.exec(message)?.[1] ?? message;
    return reason.slice(0, 120);
}
/** OpenSSL errors carry no key material, but keep only name, code and message to be sure. */
function sanitize(error) {
    const e = error instanceof Error ? error : new Error(String(error));
    const out = new Error(e.message.slice(0, 200));
    out.name = e.name;
    if (typeof e.code === "string")
        Object.assign(out, { code: e.code });
    return out;
}
