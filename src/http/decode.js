// Content-Encoding decoding for the transport: gzip, deflate (zlib or raw), br; at most 5 codings;
// the decoded size of a buffered body capped (decompression bombs stop early, in bounded memory).
import { Transform, pipeline } from "node:stream";
import * as zlib from "node:zlib";
/** More codings than this are refused (undici, urllib3 and curl cap at 5 too). */
export const MAX_CONTENT_CODINGS = 5;
/** Why decoding failed: too many codings, or bad data. */
export class DecodeFailure extends Error {
    code;
    constructor(message, code, options) {
        super(message, options);
        this.code = code;
    }
}
/**
 * The codings to undo, outermost last as listed in the header. Returns [] for none or identity,
 * and undefined when a coding is unknown (the body is then handed over as received).
 */
export function parseContentCodings(header) {
    if (header === undefined || header === "")
        return [];
    const codings = header.split(",").map((c) => c.trim().toLowerCase()).filter((c) => c !== "" && c !== "identity");
    if (codings.length > MAX_CONTENT_CODINGS) {
        throw new DecodeFailure(`Too many content codings (${codings.length}; at most ${MAX_CONTENT_CODINGS})`, "ERR_TOO_MANY_CODINGS");
    }
    return codings.every((c) => c in DECODERS) ? codings : undefined;
}
/** Inflates deflate bodies whether or not they carry the zlib header (servers send both). */
class AutoInflate extends Transform {
    #inner;
    #pendingCallback;
    _transform(chunk, _enc, callback) {
        if (this.#inner === undefined) {
            const zlibHeader = chunk.length > 0 && (chunk[0] & 0x0f) === 0x08;
            const inner = zlibHeader ? zlib.createInflate() : zlib.createInflateRaw();
            inner.on("data", (out) => {
                if (!this.push(out))
                    inner.pause();
            });
            inner.on("error", (err) => this.destroy(err));
            inner.on("end", () => {
                const cb = this.#pendingCallback;
                this.#pendingCallback = undefined;
                cb?.();
            });
            this.#inner = inner;
        }
        if (this.#inner.write(chunk))
            callback();
        else
            this.#inner.once("drain", () => callback());
    }
    _read(size) {
        this.#inner?.resume();
        super._read(size);
    }
    _flush(callback) {
        if (this.#inner === undefined)
            return callback();
        this.#pendingCallback = callback;
        this.#inner.end();
    }
}
const DECODERS = {
    gzip: () => zlib.createGunzip(),
    "x-gzip": () => zlib.createGunzip(),
    deflate: () => new AutoInflate(),
    br: () => zlib.createBrotliDecompress(),
};
/**
 * Whether the codings may be undone for a request that sent `acceptEncoding`: every one must have
 * been asked for (`*` counts; `;q=0` does not). A request that sent no Accept-Encoding accepts all.
 * A coding the request did not ask for is the stored form of the body (a blob saved gzipped), so
 * it is handed over as received.
 */
export function acceptedCodings(codings, acceptEncoding) {
    if (codings.length === 0 || acceptEncoding === undefined)
        return true;
    const accepted = new Set();
    for (const item of acceptEncoding.split(",")) {
        const [name = "", ...params] = item.split(";").map((p) => p.trim().toLowerCase());
        if (name !== "" && !params.some((p) => /^q=0(\.0*)?$/.test(p)))
            accepted.add(name);
    }
    return codings.every((c) => accepted.has(c) || accepted.has("*") || (c === "x-gzip" && accepted.has("gzip")));
}
/** Pipes a body through the decoders for `codings` (last listed is undone first). */
export function decodeStream(body, codings) {
    if (codings.length === 0)
        return body;
    const stages = [...codings].reverse().map((c) => DECODERS[c]());
    const streams = [body, ...stages];
    // pipeline destroys every stage on error and forwards the error to the last one.
    // @types/node types pipeline() per count of stages; the variadic form is (...streams, callback).
    const variadic = pipeline;
    return variadic(...streams, () => { });
}
/**
 * Reads a stream whole, failing with `onLimit()` once more than `limit` bytes have come. Through the
 * stream's events rather than `for await`, which would build an async iterator and an end-of-stream
 * watcher per body; errors and an early close end it as `for await` would.
 */
export function readWhole(stream, limit, onLimit) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        let total = 0;
        const cleanup = () => {
            stream.off("data", onData);
            stream.off("end", onEnd);
            stream.off("error", onError);
            stream.off("close", onClose);
        };
        const onData = (chunk) => {
            total += chunk.length;
            if (total > limit) {
                cleanup();
                // undici's body emits an abort error when destroyed; with our listeners gone it would be uncaught (M9).
                stream.on("error", () => { });
                stream.destroy();
                reject(onLimit(total));
                return;
            }
            chunks.push(chunk);
        };
        const onEnd = () => {
            cleanup();
            resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total));
        };
        const onError = (error) => {
            cleanup();
            reject(error);
        };
        const onClose = () => {
            cleanup();
            reject(stream.errored ?? Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" }));
        };
        if (stream.errored)
            return reject(stream.errored);
        if (stream.destroyed)
            return onClose();
        stream.on("data", onData);
        stream.on("end", onEnd);
        stream.on("error", onError);
        stream.on("close", onClose);
    });
}
