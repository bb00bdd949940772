// Secrets never leave libcloud-ts in an error, a log line or a curl command.
// This module holds the allowlists and the scrubbing used by errors, the debug log and recording.
/** The placeholder that replaces a redacted value. */
export const REDACTED = "REDACTED";
/**
 * Request headers whose values are safe to show. Everything else is redacted in the debug log
 * unless the log runs in unsafe mode.
 */
export const SAFE_HEADERS = new Set([
    "accept", "accept-encoding", "accept-language", "accept-ranges", "age", "cache-control", "connection",
    "content-disposition", "content-encoding", "content-language", "content-length", "content-md5",
    "content-range", "content-type", "date", "etag", "expect", "expires", "host", "if-match",
    "if-modified-since", "if-none-match", "if-unmodified-since", "keep-alive", "last-modified", "location",
    "range", "retry-after", "server", "transfer-encoding", "user-agent", "vary", "via",
    "x-request-id", "x-libcloud-request-id", "x-ms-request-id", "x-ms-client-request-id", "x-ms-version",
    "x-ms-date", "x-ms-blob-type", "x-ms-error-code", "x-ms-copy-status", "x-ms-copy-id", "x-ms-copy-source",
    "x-ms-blob-content-type", "x-ms-blob-content-md5", "x-ms-blob-content-length", "x-ms-lease-state",
    "x-ms-lease-status", "x-ms-server-encrypted", "x-ms-request-server-encrypted", "x-ms-creation-time",
    "x-ms-access-tier", "x-ms-access-tier-inferred", "x-ms-blob-committed-block-count", "x-ms-content-crc64",
    "x-amz-request-id", "x-amz-id-2", "x-amz-date", "x-amz-content-sha256", "x-goog-generation",
]);
/** Query parameters whose values are safe to show. */
export const SAFE_QUERY_PARAMS = new Set([
    "action", "api-version", "blockid", "comp", "continuation-token", "delimiter", "include", "limit",
    "marker", "max-keys", "maxresults", "offset", "page", "per_page", "prefix", "restype", "timeout",
    "version", "versionid", "cache-busting", "format", "list-type", "start-after", "snapshot", "job",
]);
/** Words that mark a name (header, query parameter, JSON field) as a secret wherever it appears. */
const SECRET_NAME = /pass|secret|token|key|sig|auth|cred|cookie|session/i;
/** True when a header or parameter name suggests a credential. */
export function looksSecret(name) {
    return SECRET_NAME.test(name);
}
/** JSON.stringify that never throws (cycles, BigInt) and falls back to String(). */
export function safeJson(value) {
    try {
        const text = JSON.stringify(value);
        return text === undefined ? String(value) : text;
    }
    catch {
        return String(value);
    }
}
/**
 * Strips userinfo and redacts the values of query parameters that are not on the allowlist.
 * Accepts absolute URLs and origin-relative paths; never throws.
 */
export function redactUrl(url, safeParams = SAFE_QUERY_PARAMS) {
    let out = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, "$1");
    const q = out.indexOf("?");
    if (q < 0)
        return out;
    const query = out.slice(q + 1).split("&").map((pair) => {
        const eq = pair.indexOf("=");
        if (eq < 0)
            return pair;
        const name = pair.slice(0, eq);
        let decoded = name;
        try {
            decoded = decodeURIComponent(name.replace(/\+/g, " "));
        }
        catch { /* keep raw */ }
        return safeParams.has(decoded.toLowerCase()) ? pair : `${name}=${REDACTED}`;
    });
    out = out.slice(0, q + 1) + query.join("&");
    return out;
}
/**
 * Replaces every occurrence of each secret in text. Secrets shorter than 4 characters are ignored
 * (they would scrub ordinary words); the longest are replaced first.
 */
export function scrubSecrets(text, secrets) {
    const list = [...new Set([...secrets].filter((s) => typeof s === "string" && s.length >= 4))].sort((a, b) => b.length - a.length);
    let out = text;
    for (const secret of list) {
        if (out.includes(secret))
            out = out.split(secret).join(REDACTED);
    }
    return out;
}
// ---- Redaction rules shared by the debug log and fixture recording -----------------------------
/**
 * JSON / form body field names that hold secrets even when a connection declares nothing:
 * `password`, `apiKey`, `access_token`, `clientSecret`, `privateKey`, `credentials` …
 * (matched on the whole name, so `keyName` or `author` are left alone).
 */
const SECRET_FIELD = /^(?:.*[_-])?(?:pass(?:word|wd|phrase)?|secret|token|api_?key|private_?key|credentials?|signature)$|(?:Password|Passwd|Passphrase|Secret|Token|ApiKey|PrivateKey|Credentials?|Signature)$|^(?:apikey|secretkey|accesstoken|refreshtoken|idtoken|sessiontoken|securitytoken)$/i;
function lowerSet(value) {
    const out = new Set();
    if (value !== null && typeof value === "object" && Symbol.iterator in value) {
        for (const item of value)
            if (typeof item === "string")
                out.add(item.toLowerCase());
    }
    return out;
}
/**
 * The declarations of a connection: `sensitiveHeaders`, `sensitiveParams` and `sensitiveBodyFields`
 * (arrays or sets of names) on the instance and as statics up its class chain, merged.
 */
export function sensitiveDeclarations(connection) {
    const headers = new Set();
    const params = new Set();
    const bodyFields = new Set();
    const own = connection;
    for (const h of lowerSet(own?.sensitiveHeaders))
        headers.add(h);
    for (const p of lowerSet(own?.sensitiveParams))
        params.add(p);
    for (const f of lowerSet(own?.sensitiveBodyFields))
        bodyFields.add(f);
    let cls = connection?.constructor;
    while (typeof cls === "function" && cls !== Object && cls !== Function.prototype) {
        const statics = cls;
        for (const h of lowerSet(statics.sensitiveHeaders))
            headers.add(h);
        for (const p of lowerSet(statics.sensitiveParams))
            params.add(p);
        for (const f of lowerSet(statics.sensitiveBodyFields))
            bodyFields.add(f);
        cls = Object.getPrototypeOf(cls);
    }
    return { headers, params, bodyFields };
}
/** True when a body field (JSON key, form field, XML element) should be redacted. */
export function isSensitiveField(name, declared) {
    return declared.has(name.toLowerCase()) || SECRET_FIELD.test(name);
}
/** Adds a secret value and the parts a server may echo back (the token of `Bearer x`, Basic's password). */
export function addSecret(secrets, value) {
    if (typeof value !== "string" || value.length === 0)
        return;
    secrets.add(value);
    const scheme = /^([A-Za-z][A-Za-z0-9_-]*)\s+(.+)$/.exec(value);
    if (scheme === null)
        return;
    const rest = scheme[2];
    secrets.add(rest);
    if (scheme[1].toLowerCase() === "basic") {
        const decoded = Buffer.from(rest, "base64").toString("utf8");
        const colon = decoded.indexOf(":");
        if (colon >= 0) {
            secrets.add(decoded);
            secrets.add(decoded.slice(colon + 1));
        }
    }
    // Signed schemes (AWS4-HMAC-SHA256 Credential=…, Signature=…; SharedKey account:sig) carry parts.
    for (const m of rest.matchAll(/(?:^|[\s,])[A-Za-z]+=([^,\s]+)/g))
        secrets.add(m[1]);
    const colon = rest.lastIndexOf(":");
    if (colon > 0 && !rest.includes(" "))
        secrets.add(rest.slice(colon + 1));
}
/**
 * Redacts header values: a header keeps its value only when it is on the allowlist and not
 * declared sensitive. Every redacted value is added to `secrets`.
 */
export function redactHeaders(headers, declared, secrets, safe = SAFE_HEADERS) {
    const out = {};
    for (const [name, value] of Object.entries(headers)) {
        const lower = name.toLowerCase();
        if (safe.has(lower) && !declared.has(lower)) {
            out[name] = value;
        }
        else {
            if (isScrubWorthy(name, value, declared))
                addSecret(secrets, value);
            out[name] = REDACTED;
        }
    }
    return out;
}
function decodeComponent(text) {
    try {
        return decodeURIComponent(text.replace(/\+/g, " "));
    }
    catch {
        return text;
    }
}
/**
 * Redacts an `a=1&b=2` string (a query or a form body): values of names off the allowlist, or
 * declared sensitive, become REDACTED and are added to `secrets` (raw and decoded).
 */
export function redactQueryString(query, declared, secrets, safe = SAFE_QUERY_PARAMS) {
    if (query === "")
        return query;
    return query.split("&").map((pair) => {
        const eq = pair.indexOf("=");
        if (eq < 0)
            return pair;
        const name = decodeComponent(pair.slice(0, eq)).toLowerCase();
        if (safe.has(name) && !declared.has(name))
            return pair;
        const raw = pair.slice(eq + 1);
        if (raw === "")
            return pair;
        if (isScrubWorthy(name, raw, declared)) {
            secrets.add(raw);
            addSecret(secrets, decodeComponent(raw));
        }
        return `${pair.slice(0, eq)}=${REDACTED}`;
    }).join("&");
}
/**
 * Whether a value redacted only for being off an allowlist is also scrubbed from the rest of the
 * exchange: always for declared or secret-looking names, else only when long enough to be a
 * credential (`X-Debug: true` must not turn every `true` in a body into REDACTED).
 */
function isScrubWorthy(name, value, declared) {
    return declared.has(name.toLowerCase()) || looksSecret(name) || value.length >= 8;
}
/** A path with its query redacted (see {@link redactQueryString}); userinfo is stripped. */
export function redactTarget(target, declared, secrets) {
    const out = target.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, "$1");
    const q = out.indexOf("?");
    return q < 0 ? out : `${out.slice(0, q + 1)}${redactQueryString(out.slice(q + 1), declared, secrets)}`;
}
/**
 * A form body with sensitive fields redacted: declared parameters, declared body fields and names
 * that look like secrets (`password`, `client_secret` …). Other fields are kept: a body is the
 * caller's data, not a signature carrier, so it is not allowlisted.
 */
export function redactFormBody(body, declared, secrets) {
    return body.split("&").map((pair) => {
        const eq = pair.indexOf("=");
        if (eq < 0)
            return pair;
        const name = decodeComponent(pair.slice(0, eq));
        if (!declared.params.has(name.toLowerCase()) && !isSensitiveField(name, declared.bodyFields))
            return pair;
        const raw = pair.slice(eq + 1);
        if (raw === "")
            return pair;
        secrets.add(raw);
        addSecret(secrets, decodeComponent(raw));
        return `${pair.slice(0, eq)}=${REDACTED}`;
    }).join("&");
}
/**
 * A copy of a parsed JSON value with sensitive fields' values replaced (at any depth; iterative,
 * so deep documents cannot overflow the stack). Redacted scalar values are added to `secrets`.
 */
export function redactJsonValue(value, declared, secrets) {
    const collect = (v) => {
        const stack = [v];
        while (stack.length > 0) {
            const item = stack.pop();
            if (typeof item === "string")
                addSecret(secrets, item);
            else if (typeof item === "number" || typeof item === "bigint")
                secrets.add(String(item));
            else if (item !== null && typeof item === "object")
                stack.push(...Object.values(item));
        }
    };
    // defineProperty, not assignment: a JSON "__proto__" key must stay a plain key.
    const put = (target, key, v) => {
        Object.defineProperty(target, key, { value: v, writable: true, enumerable: true, configurable: true });
    };
    const root = { v: undefined };
    const work = [[value, root, "v"]];
    while (work.length > 0) {
        const [src, parent, key] = work.pop();
        if (Array.isArray(src)) {
            const copy = new Array(src.length);
            put(parent, key, copy);
            for (let i = 0; i < src.length; i++)
                work.push([src[i], copy, i]);
        }
        else if (src !== null && typeof src === "object") {
            const copy = {};
            put(parent, key, copy);
            const pending = [];
            for (const [k, v] of Object.entries(src)) {
                // A declared field goes whole; a name that only looks secret (`passwordCredentials`) is
                // redacted when it holds a scalar, and searched when it holds an object.
                const whole = declared.has(k.toLowerCase()) || (isSensitiveField(k, declared) && (v === null || typeof v !== "object"));
                if (whole && v !== null && v !== "") {
                    collect(v);
                    put(copy, k, REDACTED);
                }
                else {
                    put(copy, k, undefined); // keeps the key order; filled in below
                    pending.push([v, copy, k]);
                }
            }
            work.push(...pending);
        }
        else {
            put(parent, key, src);
        }
    }
    return root.v;
}
/**
 * The values a connection knows to be secret: its key, its driver's secret, key passphrase and
 * the proxy password. The key (an account name for some providers) is scrubbed too: better a
 * redacted name than a leaked key.
 */
export function connectionSecrets(value) {
    const secrets = new Set();
    if (value === null || typeof value !== "object")
        return secrets;
    const connection = value;
    const add = (v) => {
        if (typeof v === "string" && v.length > 0)
            secrets.add(v);
    };
    add(connection.key);
    add(connection.secret);
    add(connection.keyPassphrase);
    add(connection.driver?.key);
    add(connection.driver?.secret);
    const proxy = proxyPassword(connection.proxyUrl);
    if (proxy !== undefined) {
        secrets.add(proxy);
        secrets.add(encodeURIComponent(proxy));
    }
    const transportProxy = connection.connection?.proxy?.password;
    add(transportProxy);
    if (typeof transportProxy === "string" && transportProxy.length > 0)
        secrets.add(encodeURIComponent(transportProxy));
    if (typeof connection.keyFile === "string" && connection.keyFile.includes("-----BEGIN"))
        secrets.add(connection.keyFile);
    // The user id of a ConnectionUserAndKey is the identity, not the secret: a driver whose own `key`
    // is that id (Azure's account name, a user name) would otherwise have it scrubbed from every URL.
    const userId = connection.userId;
    if (typeof userId === "string" && userId !== connection.key && userId !== connection.secret)
        secrets.delete(userId);
    return secrets;
}
/** The password of a proxy URL (decoded), if it has one. */
export function proxyPassword(proxyUrl) {
    if (typeof proxyUrl !== "string")
        return undefined;
    try {
        const url = new URL(proxyUrl);
        return url.password === "" ? undefined : decodeURIComponent(url.password);
    }
    catch {
        return undefined;
    }
}
/** A proxy URL with its password replaced by REDACTED. */
export function redactProxyUrl(proxyUrl) {
    return proxyUrl.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@?#]*):[^/@?#]*@/i, `$1:${REDACTED}@`);
}
