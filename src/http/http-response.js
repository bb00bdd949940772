import { LibcloudError } from "../common/types.js";
const EMPTY = Buffer.alloc(0);
/**
 * A response as the transport received it. A buffered response has its whole (decoded) body in
 * {@link HTTPResponse.bodyBuffer}; a raw response has an unread stream. A response to HEAD, or a
 * 204 or 304, has an empty body and never waits for one.
 */
export class HTTPResponse {
    /** HTTP status code. */
    status;
    /** The reason phrase ("" if none). */
    reason;
    /** Lower-cased names; repeated headers joined with ", ". */
    headers;
    /** The headers as received, `[name, value, name, value, …]`, repeats kept. */
    rawHeaders;
    /** HTTP version, e.g. "1.1". */
    version;
    #buffer;
    #offset = 0;
    #stream;
    #limit;
    constructor(init) {
        this.#limit = init.bodyLimit;
        this.status = init.status;
        this.reason = init.reason ?? "";
        this.headers = init.headers;
        this.rawHeaders = init.rawHeaders ?? [];
        this.version = init.version ?? "1.1";
        if (init.body === null) {
            this.#buffer = EMPTY;
            this.#stream = null;
        }
        else if (Buffer.isBuffer(init.body)) {
            this.#buffer = init.body;
            this.#stream = null;
        }
        else {
            this.#buffer = null;
            this.#stream = init.body;
        }
    }
    /** The whole body when the transport buffered it; null for an unread stream. */
    get bodyBuffer() {
        return this.#buffer;
    }
    /** The body as a Node Readable (an already-ended one for buffered or empty bodies). */
    get stream() {
        return this.#stream;
    }
    /**
     * Reads up to `amt` bytes (all that is left when omitted); an empty Buffer at the end. Reading a
     * stream whole is capped by the transport's `maxBufferedBodyBytes` (ResponseTooLargeError).
     */
    async read(amt) {
        if (amt !== undefined && (!Number.isInteger(amt) || amt < 0)) {
            throw new RangeError(`read(amt): amt must be a non-negative integer, got ${String(amt)}`);
        }
        if (this.#buffer !== null) {
            const end = amt === undefined ? this.#buffer.length : Math.min(this.#buffer.length, this.#offset + amt);
            const out = this.#buffer.subarray(this.#offset, end);
            this.#offset = end;
            return out;
        }
        const stream = this.#stream;
        if (amt === undefined) {
            const limit = this.#limit;
            const chunks = [];
            let total = 0;
            for await (const chunk of stream) {
                total += chunk.length;
                if (limit !== undefined && total > limit.bytes) {
                    // Stop reading: the rest is never held, and the connection is freed.
                    stream.on("error", () => { });
                    stream.destroy();
                    throw limit.tooLarge(total);
                }
                chunks.push(chunk);
            }
            return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
        }
        if (amt === 0)
            return EMPTY;
        return readSome(stream, amt);
    }
}
/** Reads up to `amt` bytes from a paused-mode stream, waiting for data, end or error. */
function readSome(stream, amt) {
    return new Promise((resolve, reject) => {
        const tryRead = () => {
            if (stream.errored) {
                cleanup();
                reject(stream.errored);
                return true;
            }
            const chunk = stream.read(Math.min(amt, stream.readableLength || amt));
            if (chunk !== null) {
                cleanup();
                resolve(chunk);
                return true;
            }
            if (stream.readableEnded || stream.destroyed) {
                cleanup();
                if (stream.destroyed && !stream.readableEnded)
                    reject(new LibcloudError("Response stream was closed before it ended"));
                else
                    resolve(EMPTY);
                return true;
            }
            return false;
        };
        const onReadable = () => void tryRead();
        const onEnd = () => { cleanup(); resolve(EMPTY); };
        const onError = (err) => { cleanup(); reject(err); };
        const onClose = () => void tryRead();
        function cleanup() {
            stream.off("readable", onReadable);
            stream.off("end", onEnd);
            stream.off("error", onError);
            stream.off("close", onClose);
        }
        stream.on("readable", onReadable);
        stream.on("end", onEnd);
        stream.on("error", onError);
        stream.on("close", onClose);
        tryRead();
    });
}
