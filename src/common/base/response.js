import { errorForResponse } from "./response-error.js";
const UNPARSED = Symbol("unparsed");
/** The request the response being built answers (set by the connection around the constructor). */
let answering;
/**
 * Builds a response with `request` visible to its constructor as `this.request` (libcloud's
 * `self.request = response.request`), so `success()` and `parseError()` can read it. @internal
 */
export function buildResponse(request, build) {
    const previous = answering;
    answering = request;
    try {
        return build();
    }
    finally {
        answering = previous;
    }
}
/** Decodes a buffered body as text, honouring a `charset` in Content-Type (UTF-8 otherwise). */
export function decodeBody(bytes, contentType) {
    if (bytes.length === 0)
        return "";
    const charset = contentType === undefined ? undefined : /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1];
    if (charset === undefined || /^utf-?8$/i.test(charset))
        return bytes.toString("utf8").replace(/^\uFEFF/, "");
    try {
        return new TextDecoder(charset).decode(bytes);
    }
    catch {
        return bytes.toString("utf8").replace(/^\uFEFF/, "");
    }
}
/**
 * A base response class to derive from (`libcloud.common.base.Response`). The connection builds it
 * once the body is read in full. As in libcloud the constructor decides: when `success()` is false
 * it throws the error that `parseError()` describes (see `errorForResponse` in response-error.ts); else it parses
 * the body, so a malformed one throws `MalformedResponseError`, and `object` is what `parseBody()`
 * returned. An empty body is parsed on first use of `object` instead, so a subclass's
 * `parseZeroLengthBody = true` field (set after this constructor) is honoured.
 *
 * `success()`, `parseError()` and `parseBody()` run inside this constructor: like libcloud's, they
 * may read `status`, `headers`, `body`, `connection` and `request`, but not instance fields that a
 * subclass declares (JavaScript sets those after the base constructor); use a getter or a static.
 *
 * `T` is the type of `object`: `unknown` until a caller states it (`request<T>()` does), since the
 * body is the provider's to shape.
 */
export class Response {
    /** HTTP status. */
    status;
    /** Response headers, names lower-cased. */
    headers;
    /** The body as text, trimmed. */
    body;
    /** The reason phrase. */
    error;
    /** The connection that made the request. */
    connection;
    /** The request this answers (set by the connection). */
    request;
    /** Parse an empty body too (else `object` is the empty string). @defaultValue false */
    parseZeroLengthBody = false;
    /** The raw transport response. */
    response;
    #object = UNPARSED;
    constructor(response, connection) {
        this.response = response;
        this.connection = connection;
        this.status = response.status;
        this.headers = response.headers;
        this.error = response.reason;
        this.request = answering;
        const bytes = response.bodyBuffer;
        this.body = bytes === null ? "" : decodeBody(bytes, response.headers["content-type"]).trim();
        if (!this.success())
            throw errorForResponse(this, this.body);
        if (this.body.length > 0)
            this.#object = this.parseBody();
    }
    /** What `parseBody()` returned (parsed on first use when the response was built by hand). */
    get object() {
        if (this.#object === UNPARSED)
            this.#object = this.parseBody();
        return this.#object;
    }
    /** Replaces the parsed body (as libcloud's drivers assign `response.object`). */
    set object(value) {
        this.#object = value;
    }
    /** Whether the request succeeded: 200, 201 or 202 (override to change). */
    success() {
        return this.status === 200 || this.status === 201 || this.status === 202;
    }
    /** Parses the body (override in a provider's subclass). Returns the body. */
    parseBody() {
        return this.body;
    }
    /** Parses an error body (override in a provider's subclass). Returns the body. */
    parseError() {
        return this.body;
    }
}
