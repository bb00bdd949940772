// Port of libcloud/utils/loggingconnection.py: LoggingConnection — the LIBCLOUD_DEBUG log of every
// request as a runnable curl command and every response, here redacted by default, bounded, and
// observing (never buffering) streamed bodies. Also NODE_DEBUG=libcloud one-line summaries.
//
// The log is itself a shell script: each request is one `curl …` line, everything else is a
// `# ` comment, so a response body can never become a command when someone runs the log.
import { randomUUID } from "node:crypto";
import { closeSync, openSync, writeSync } from "node:fs";
import { Readable } from "node:stream";
import { debuglog } from "node:util";
import { envFlag } from "../common/settings.js";
import { HTTPResponse } from "../http/http-response.js";
import { getClock } from "./clock.js";
import { REDACTED, connectionSecrets, redactFormBody, redactHeaders, redactJsonValue, redactProxyUrl, redactTarget, scrubSecrets, isSensitiveField, sensitiveDeclarations, } from "./redact.js";
import { parseXml, serializeXml } from "./xml.js";
/** The header that ties a request to its response in the debug log (added before signing, only while debugging). */
export const REQUEST_ID_HEADER = "X-Libcloud-Request-Id";
/** How many bytes of each body the debug log shows. */
export const DEBUG_BODY_LIMIT = 64 * 1024;
const env = process.env;
const envPretty = envFlag(env["LIBCLOUD_DEBUG_PRETTY_PRINT_RESPONSE"]);
const envUnsafe = envFlag(env["LIBCLOUD_DEBUG_UNSAFE"]);
const summary = debuglog("libcloud");
let sink = null;
let recorder = null;
let envRecorder = null;
/** Builds LIBCLOUD_RECORD's recorder; installed by the test kit when it loads (this layer never loads it). */
let envRecorderFactory = null;
const noTestKit = { warned: false };
const attempts = new WeakMap();
/** The log's id of each request without a request-id header, by its headers object. */
const requestIds = new WeakMap();
function warnOnce(state, error) {
    if (state.warned)
        return;
    state.warned = true;
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    process.emitWarning(`libcloud debug log disabled: its sink failed (${reason}); requests are not affected`, { code: "LIBCLOUD_DEBUG_SINK_FAILED" });
}
function normalizeOptions(options) {
    const maxBodyBytes = options.maxBodyBytes ?? DEBUG_BODY_LIMIT;
    if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 0)
        throw new RangeError(`maxBodyBytes must be a non-negative integer, got ${String(maxBodyBytes)}`);
    return {
        redact: options.redact ?? !envUnsafe, prettyPrint: options.prettyPrint ?? envPretty, maxBodyBytes,
        requestIdHeader: options.requestIdHeader ?? envFlag(env["LIBCLOUD_DEBUG_REQUEST_ID"]),
    };
}
function streamSink(stream, options) {
    const state = { warned: false, broken: false };
    const self = {
        ...normalizeOptions(options),
        write(text) {
            if (state.broken)
                return;
            try {
                stream.write(text, (error) => {
                    if (error)
                        fail(error);
                });
            }
            catch (error) {
                fail(error);
            }
        },
    };
    function fail(error) {
        state.broken = true;
        if (sink === self)
            sink = null;
        warnOnce(state, error);
    }
    // An 'error' with no listener would crash the process (EPIPE, a destroyed stream). One listener
    // per stream, however often it is enabled, routed to the sink currently using it.
    streamFailures.set(stream, fail);
    if (!listened.has(stream)) {
        listened.add(stream);
        try {
            stream.on?.("error", (error) => streamFailures.get(stream)?.(error));
        }
        catch {
            // A sink without a working `on` still gets its write errors through the callback.
        }
    }
    return self;
}
const streamFailures = new WeakMap();
const listened = new WeakSet();
function fileSink(path, options) {
    const state = { warned: false, broken: false };
    let fd = null;
    const self = {
        ...normalizeOptions(options),
        write(text) {
            if (state.broken)
                return;
            try {
                fd ??= openSync(path, "a", 0o600);
                writeSync(fd, text);
            }
            catch (error) {
                state.broken = true;
                if (sink === self)
                    sink = null;
                warnOnce(state, error);
            }
        },
        close() {
            if (fd === null)
                return;
            try {
                closeSync(fd);
            }
            catch {
                // Already closed: nothing to release.
            }
            fd = null;
        },
    };
    return self;
}
/**
 * Starts (or, with `null`, stops) the debug log: every request as a runnable curl command and
 * every response, redacted unless `redact: false`. `LIBCLOUD_DEBUG=<file>` does the same at import,
 * appending to the file (opened on the first request).
 */
export function enableDebug(stream, options = {}) {
    const next = stream === null ? null : typeof stream === "string" ? fileSink(stream, options) : streamSink(stream, options);
    const previous = sink;
    sink = next;
    previous?.close?.();
}
/** Whether the debug log (or NODE_DEBUG=libcloud) is on. */
export function isDebugEnabled() {
    return sink !== null || summary.enabled;
}
/** Installs (or, with null, removes) the fixture recorder. @internal */
export function setExchangeRecorder(next) {
    recorder = next;
    envRecorder = null;
}
const envDebugFile = env["LIBCLOUD_DEBUG"];
if (envDebugFile !== undefined && envDebugFile !== "")
    sink = fileSink(envDebugFile, {});
const envRecordDir = env["LIBCLOUD_RECORD"];
/**
 * Lets the test kit build the recorder for `LIBCLOUD_RECORD=<dir>` (src/test/recorder.ts installs
 * it when it loads): production code never imports the test kit. @internal
 */
export function setEnvironmentRecorderFactory(factory) {
    envRecorderFactory = factory;
    envRecorder = null;
}
async function currentRecorder() {
    if (recorder !== null || envRecordDir === undefined || envRecordDir === "")
        return recorder;
    const factory = envRecorderFactory;
    if (factory === null) {
        if (!noTestKit.warned) {
            noTestKit.warned = true;
            process.emitWarning("LIBCLOUD_RECORD is set but the test kit is not loaded: run with `node --import libcloud-ts/test`", { code: "LIBCLOUD_RECORD_FAILED" });
        }
        return null;
    }
    // Built on the first request: recording code never weighs on ordinary use.
    envRecorder ??= Promise.resolve(envRecordDir).then(factory).catch((error) => {
        process.emitWarning(`LIBCLOUD_RECORD: could not start recording (${String(error)})`, { code: "LIBCLOUD_RECORD_FAILED" });
        return null;
    });
    return envRecorder;
}
/**
 * Adds the request-id header while the debug log runs with `requestIdHeader` (called before
 * signing, so signed requests stay valid). @internal
 */
export function addRequestIdHeader(headers) {
    if (sink === null || !sink.requestIdHeader)
        return;
    for (const name of Object.keys(headers))
        if (name.toLowerCase() === REQUEST_ID_HEADER.toLowerCase())
            return;
    headers[REQUEST_ID_HEADER] = randomUUID();
}
function requestIdOf(headers) {
    for (const [name, value] of Object.entries(headers))
        if (name.toLowerCase() === REQUEST_ID_HEADER.toLowerCase())
            return value;
    return undefined;
}
/**
 * Sends one request through the transport, letting the debug log, NODE_DEBUG=libcloud and a
 * recorder see it. With none of them on it is exactly `transport.request(request)`. The response
 * is the transport's own, except that a streamed body is observed as the caller reads it. @internal
 */
export function observeExchange(connection, transport, request) {
    // The usual path (no log, no recorder) is the transport's own promise: no async frame around it.
    if (sink === null && recorder === null && !summary.enabled && (envRecordDir === undefined || envRecordDir === ""))
        return transport.request(request);
    return observeSlow(connection, transport, request);
}
async function observeSlow(connection, transport, request) {
    const log = sink;
    const rec = envRecordDir === undefined || envRecordDir === "" ? recorder : await currentRecorder();
    if (log === null && rec === null && !summary.enabled)
        return transport.request(request);
    const clock = getClock();
    const started = clock.now();
    // One id per request (its attempts share the headers object), sent or not.
    const id = requestIdOf(request.headers) ?? requestIds.get(request.headers) ?? randomUUID();
    requestIds.set(request.headers, id);
    const attempt = (attempts.get(request.headers) ?? 0) + 1;
    attempts.set(request.headers, attempt);
    const className = connection.constructor.name;
    const view = log === null ? null : new ExchangeView(connection, transport, request, log);
    if (view !== null)
        emit(log, view.requestBlock(id, attempt, className));
    let response;
    try {
        response = await transport.request(request);
    }
    catch (error) {
        const ms = Math.round(clock.now() - started);
        const e = error;
        const what = `${typeof e?.name === "string" ? e.name : "Error"}${typeof e?.code === "string" ? ` ${e.code}` : ""}`;
        const message = typeof e?.message === "string" ? e.message : "";
        if (view !== null)
            emit(log, view.comment([`-------- error ${id} attempt ${attempt} after ${ms} ms: ${what}: ${message}`]));
        if (summary.enabled)
            summary("%s %s %s%s -> %s (%d ms)", id, request.method, transport.host, redactTarget(request.url, new Set(), new Set()), what, ms);
        throw error;
    }
    const ms = Math.round(clock.now() - started);
    if (summary.enabled) {
        summary("%s %s %s%s -> %d %s (%d ms)%s", id, request.method, transport.host, redactTarget(request.url, new Set(), new Set()), response.status, response.reason, ms, response.stream === null ? "" : " streamed");
    }
    if (view === null && rec === null)
        return response;
    const stream = response.stream;
    if (stream === null) {
        const body = response.bodyBuffer ?? Buffer.alloc(0);
        if (view !== null)
            emit(log, view.responseBlock(id, attempt, ms, response, body, body.length, true));
        if (rec !== null)
            notify(rec, { connection, request, response, body: body.subarray(0, rec.maxBodyBytes), totalBytes: body.length, complete: true });
        return response;
    }
    // A streamed body: log the status and headers now, the body as the caller reads it (bounded).
    if (view !== null)
        emit(log, view.responseBlock(id, attempt, ms, response, null, 0, false));
    const limit = Math.max(view === null ? 0 : log.maxBodyBytes, rec?.maxBodyBytes ?? 0);
    const observed = observeStream(stream, limit, (body, total, complete) => {
        if (view !== null)
            emit(log, view.streamBodyBlock(id, attempt, response, body.subarray(0, log.maxBodyBytes), total, complete));
        if (rec !== null)
            notify(rec, { connection, request, response, body: body.subarray(0, rec.maxBodyBytes), totalBytes: total, complete });
    });
    return new HTTPResponse({
        status: response.status, reason: response.reason, headers: response.headers, rawHeaders: response.rawHeaders,
        version: response.version, body: observed,
    });
}
function emit(log, text) {
    if (log === null)
        return;
    try {
        log.write(text);
    }
    catch {
        // The sink handles its own failures; nothing here may fail a request.
    }
}
function notify(rec, exchange) {
    try {
        rec.onResponse(exchange);
    }
    catch (error) {
        process.emitWarning(`libcloud recorder failed: ${String(error)}`, { code: "LIBCLOUD_RECORD_FAILED" });
    }
}
/**
 * A stream that yields the source's chunks unchanged (same backpressure: nothing is read ahead of
 * the caller) and keeps the first `limit` bytes for the log. `done` runs once, when the body ends,
 * fails, or the caller drops it.
 */
function observeStream(source, limit, done) {
    const kept = [];
    let keptBytes = 0;
    let total = 0;
    let finished = false;
    const finish = (complete) => {
        if (finished)
            return;
        finished = true;
        try {
            done(Buffer.concat(kept, keptBytes), total, complete);
        }
        catch {
            // Observers never fail the caller's read.
        }
    };
    async function* pump() {
        let complete = false;
        try {
            for await (const piece of source) {
                const chunk = piece;
                total += chunk.length;
                if (keptBytes < limit) {
                    const part = Buffer.from(chunk.subarray(0, limit - keptBytes));
                    kept.push(part);
                    keptBytes += part.length;
                }
                yield chunk;
            }
            complete = true;
        }
        finally {
            finish(complete);
        }
    }
    const out = Readable.from(pump(), { objectMode: false, highWaterMark: source.readableHighWaterMark });
    // Dropped before the first read: the generator never started, so release the source here.
    out.once("close", () => {
        if (!source.destroyed)
            source.destroy();
        finish(false);
    });
    return out;
}
// ---- formatting ------------------------------------------------------------------------------
/** Quotes a word for POSIX shells: single quotes, `'` as `'\''`. Control characters need {@link shellWord}. */
export function shellQuote(text) {
    return `'${text.replace(/'/g, `'\\''`)}'`;
}
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
/**
 * A shell word for any text: plain single quotes, or bash's `$'…'` when it holds control
 * characters (a newline would otherwise split the command over lines). Text with NUL cannot be an
 * argument at all: see {@link curlCommand}, which pipes such bodies through printf.
 */
export function shellWord(text) {
    if (!CONTROL.test(text))
        return shellQuote(text);
    let out = "$'";
    for (const ch of text) {
        const code = ch.codePointAt(0);
        if (ch === "\\")
            out += "\\\\";
        else if (ch === "'")
            out += "\\'";
        else if (code < 0x20 || code === 0x7f)
            out += `\\x${code.toString(16).padStart(2, "0")}`;
        else
            out += ch;
    }
    return `${out}'`;
}
/** A printf %b argument that reproduces `text` exactly (NUL included), single-quoted. */
function printfArgument(text) {
    let out = "";
    for (const byte of Buffer.from(text, "utf8")) {
        if (byte === 0x5c)
            out += "\\\\";
        else if (byte < 0x20 || byte === 0x7f || byte >= 0x80)
            out += `\\0${byte.toString(8).padStart(3, "0")}`;
        else
            out += String.fromCharCode(byte);
    }
    return shellQuote(out);
}
const TEXT_TYPE = /^(text\/|application\/(?:[\w.+-]*\+)?(?:json|xml|x-www-form-urlencoded|javascript|x-yaml|yaml)\b)|^$/i;
function isBinary(bytes, contentType) {
    if (!TEXT_TYPE.test(contentType.split(";")[0].trim()))
        return true;
    if (bytes.includes(0))
        return true;
    try {
        new TextDecoder("utf-8", { fatal: true }).decode(bytes);
        return false;
    }
    catch {
        // A body cut at the limit may end inside a character: judge it without its last 3 bytes.
        if (bytes.length < 4)
            return true;
        try {
            new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, bytes.length - 3));
            return false;
        }
        catch {
            return true;
        }
    }
}
function headerValue(headers, name) {
    for (const [k, v] of Object.entries(headers))
        if (k.toLowerCase() === name)
            return v;
    return "";
}
/** The log's view of one exchange: redaction state (the secrets seen so far) and formatting. */
class ExchangeView {
    connection;
    transport;
    request;
    #secrets;
    #declared;
    #log;
    constructor(connection, transport, request, log) {
        this.connection = connection;
        this.transport = transport;
        this.request = request;
        this.#log = log;
        this.#declared = sensitiveDeclarations(connection);
        this.#secrets = log.redact ? connectionSecrets(connection) : new Set();
    }
    /** Replaces every known secret in text (nothing in unsafe mode). */
    scrub(text) {
        return this.#log.redact ? scrubSecrets(text, this.#secrets) : text;
    }
    requestBlock(id, attempt, className) {
        const { request, transport } = this;
        const redact = this.#log.redact;
        const headers = redact ? redactHeaders(request.headers, this.#declared.headers, this.#secrets) : { ...request.headers };
        const target = redact ? redactTarget(request.url, this.#declared.params, this.#secrets) : request.url;
        const body = this.#requestBody(request.body, headerValue(request.headers, "content-type"));
        const words = ["curl", "-i"];
        if (request.method === "HEAD")
            words.push("-I");
        else
            words.push("-X", request.method);
        for (const [name, value] of Object.entries(headers))
            words.push("-H", shellWord(`${name}: ${this.scrub(value)}`));
        let pipe = "";
        let note = "";
        if (body.kind === "text") {
            const text = this.scrub(body.text);
            if (text.includes("\0")) {
                pipe = `printf '%b' ${printfArgument(text)} | `;
                words.push("--data-binary", "@-");
            }
            else {
                words.push("--data-binary", shellWord(text));
            }
            if (body.truncated)
                note = ` # body truncated: first ${this.#log.maxBodyBytes} of ${body.totalBytes} bytes`;
        }
        else if (body.kind === "binary") {
            note = ` # body: <binary ${body.totalBytes} bytes>`;
        }
        else if (body.kind === "stream") {
            note = " # body: <stream, not logged>";
        }
        if (/\bgzip\b/i.test(headerValue(request.headers, "accept-encoding")))
            words.push("--compressed");
        const conn = this.connection;
        const proxy = conn?.proxyUrl ?? transport.proxy?.href;
        if (typeof proxy === "string" && proxy !== "")
            words.push("--proxy", shellWord(redact ? redactProxyUrl(proxy) : proxy));
        if (typeof conn?.certFile === "string")
            words.push("--cert", shellWord(pemWord(conn.certFile)));
        if (typeof conn?.keyFile === "string")
            words.push("--key", shellWord(pemWord(conn.keyFile)));
        if (typeof conn?.keyPassphrase === "string")
            words.push("--pass", shellWord(redact ? REDACTED : conn.keyPassphrase));
        if (typeof conn?.caCert === "string")
            words.push("--cacert", shellWord(pemWord(conn.caCert)));
        if (conn?.verifySslCert === false)
            words.push("-k");
        const url = this.scrub(`${transport.host}${target}`);
        if (/[[\]{}]/.test(url))
            words.push("-g"); // curl would read brackets and braces (IPv6, filter[x]=) as globs
        words.push(shellWord(url));
        const when = new Date().toISOString();
        return `# -------- request ${id} attempt ${attempt} at ${when} (${className}${redact ? "" : ", UNSAFE: not redacted"})\n${pipe}${words.join(" ")}${note}\n`;
    }
    #requestBody(body, contentType) {
        if (body === undefined || body === null || body === "")
            return { kind: "none" };
        let bytes;
        if (typeof body === "string") {
            const totalBytes = Buffer.byteLength(body);
            return this.#textView(body.length > this.#log.maxBodyBytes ? Buffer.from(body.slice(0, this.#log.maxBodyBytes)) : Buffer.from(body), totalBytes, contentType, false);
        }
        if (body instanceof Uint8Array)
            bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
        else
            return { kind: "stream" };
        if (isBinary(bytes.subarray(0, this.#log.maxBodyBytes), contentType === "" ? "text/plain" : contentType))
            return { kind: "binary", totalBytes: bytes.length };
        return this.#textView(bytes, bytes.length, contentType, false);
    }
    #textView(bytes, totalBytes, contentType, pretty, complete = true) {
        const limit = this.#log.maxBodyBytes;
        const truncated = totalBytes > limit || !complete;
        let text = bytes.subarray(0, limit).toString("utf8");
        if (truncated)
            text = text.replace(/\uFFFD+$/, "");
        if (!truncated)
            text = this.#redactBody(text, contentType, pretty);
        else if (this.#log.redact)
            text = this.#redactPartial(text);
        return { kind: "text", text, totalBytes, truncated };
    }
    /** Declared and secret-looking fields of a whole JSON, XML or form body; pretty-printed on request. */
    #redactBody(text, contentType, pretty) {
        const redact = this.#log.redact;
        const type = contentType.split(";")[0].trim().toLowerCase();
        const trimmed = text.trimStart();
        if (/json/.test(type) || (type === "" && /^[[{]/.test(trimmed))) {
            let parsed;
            try {
                parsed = JSON.parse(text);
            }
            catch {
                return redact ? this.#redactPartial(text) : text;
            }
            const before = this.#secrets.size;
            const out = redact ? redactJsonValue(parsed, this.#declared.bodyFields, this.#secrets) : parsed;
            if (pretty)
                return JSON.stringify(out, null, 2);
            return redact && (this.#secrets.size !== before || JSON.stringify(out) !== JSON.stringify(parsed)) ? JSON.stringify(out) : text;
        }
        if (/xml/.test(type) || (type === "" && trimmed.startsWith("<"))) {
            if (!pretty && !redact)
                return text;
            try {
                // The hardened parser: no DTD entity expansion, no external entities, bounded depth.
                const root = parseXml(text);
                let changed = false;
                if (redact) {
                    for (const el of root.iter()) {
                        const local = el.tag.replace(/^\{[^}]*\}/, "");
                        if (isSensitiveField(local, this.#declared.bodyFields) && el.text !== null && el.text.trim() !== "") {
                            this.#secrets.add(el.text.trim());
                            el.text = REDACTED;
                            changed = true;
                        }
                    }
                }
                return pretty || changed ? serializeXml(root, { pretty }) : text;
            }
            catch {
                return text;
            }
        }
        if (/x-www-form-urlencoded/.test(type) && redact)
            return redactFormBody(text, this.#declared, this.#secrets);
        return text;
    }
    /** A body that cannot be parsed (cut at the limit): `"name": "value"` pairs of sensitive names. */
    #redactPartial(text) {
        return text.replace(/("([^"\\]{1,200})"\s*:\s*)"((?:[^"\\]|\\.)*)"/g, (all, head, name, value) => {
            if (!isSensitiveField(name, this.#declared.bodyFields) || value === "")
                return all;
            this.#secrets.add(value);
            return `${head}"${REDACTED}"`;
        });
    }
    #responseHead(id, attempt, ms, response, suffix) {
        const lines = [`-------- response ${id} attempt ${attempt}${ms === null ? "" : ` after ${ms} ms`}${suffix}`, `HTTP/${response.version} ${response.status} ${response.reason}`.trimEnd()];
        const raw = response.rawHeaders.length > 0 ? response.rawHeaders : Object.entries(response.headers).flat();
        for (let i = 0; i + 1 < raw.length; i += 2) {
            const name = raw[i];
            const lower = name.toLowerCase();
            const sensitive = this.#log.redact && (lower === "set-cookie" || this.#declared.headers.has(lower) || /token|secret|password|credential|session|api-?key/i.test(lower));
            if (sensitive)
                this.#secrets.add(raw[i + 1]);
            lines.push(`${name}: ${sensitive ? REDACTED : raw[i + 1]}`);
        }
        return lines;
    }
    responseBlock(id, attempt, ms, response, body, totalBytes, _complete) {
        const lines = this.#responseHead(id, attempt, ms, response, body === null ? " (streamed body: logged as the caller reads it)" : "");
        if (body !== null)
            lines.push("", ...this.#responseBodyLines(response, body, totalBytes, true));
        return this.comment(lines);
    }
    streamBodyBlock(id, attempt, response, body, totalBytes, complete) {
        const lines = [`-------- response body ${id} attempt ${attempt}: ${totalBytes} bytes${complete ? "" : " (not read to the end)"}`];
        lines.push(...this.#responseBodyLines(response, body, totalBytes, complete));
        return this.comment(lines);
    }
    #responseBodyLines(response, body, totalBytes, complete) {
        if (totalBytes === 0)
            return [];
        const contentType = response.headers["content-type"] ?? "";
        if (isBinary(body.subarray(0, this.#log.maxBodyBytes), contentType))
            return [`<binary ${totalBytes} bytes>`];
        const decoded = response.headers["content-encoding"] ?? "";
        const view = this.#textView(body, totalBytes, contentType, this.#log.prettyPrint, complete);
        if (view.kind !== "text")
            return [];
        const lines = (decoded === "" ? [] : [`(body decoded from ${decoded})`]).concat(view.text.split(/\r?\n/));
        if (view.truncated)
            lines.push(`<truncated: first ${Math.min(body.length, this.#log.maxBodyBytes)} of ${totalBytes} bytes shown>`);
        return lines;
    }
    /** Every line as a shell comment, secrets scrubbed. */
    comment(lines) {
        // eslint-disable-next-line no-control-regex
        return `${lines.map((line) => `# ${this.scrub(line).replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "\uFFFD")}`.trimEnd()).join("\n")}\n\n`;
    }
}
/** A PEM given as contents is not printed; a path is. */
function pemWord(value) {
    return value.includes("-----BEGIN") ? "<PEM contents, not logged>" : value;
}
