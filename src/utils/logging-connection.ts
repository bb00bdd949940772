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
import type { Transport, TransportRequest } from "../http/libcloud-connection.js";
import { getClock } from "./clock.js";
import {
  REDACTED, connectionSecrets, looksBinary, redactResponseHeaders, redactBodyText, redactHeaders, redactProxyUrl,
  redactTarget, requestSecrets, scrubSecrets, sensitiveDeclarations, type SensitiveDeclarations,
} from "./redact.js";

/** The header that ties a request to its response in the debug log (added before signing, only while debugging). */
export const REQUEST_ID_HEADER = "X-Libcloud-Request-Id";

/** How many bytes of each body the debug log shows. */
export const DEBUG_BODY_LIMIT = 64 * 1024;

/** Where the debug log goes: a Node Writable, or anything with `write(text)`. */
export interface DebugStream {
  /** Writes one chunk of the log; the callback reports a failed write. */
  write(chunk: string, callback?: (error?: Error | null) => void): unknown;
  /** Subscribes to the stream's errors (a failing sink turns the log off with one warning). */
  on?(event: "error", listener: (error: Error) => void): unknown;
}

/** Options of {@link enableDebug}. */
export interface DebugOptions {
  /**
   * Redact secrets (headers and query parameters off the allowlists, declared sensitive fields,
   * the connection's key, secret and proxy password). `false` is the unsafe switch, for local
   * debugging only. @defaultValue true (false when LIBCLOUD_DEBUG_UNSAFE is set)
   */
  redact?: boolean | undefined;
  /**
   * Pretty-print JSON (indent 4, keys sorted, as libcloud) and XML bodies. When not given,
   * `LIBCLOUD_DEBUG_PRETTY_PRINT_RESPONSE` is read for every response, as libcloud does.
   * @defaultValue LIBCLOUD_DEBUG_PRETTY_PRINT_RESPONSE
   */
  prettyPrint?: boolean | undefined;
  /** Bytes of each body shown. @defaultValue 65536 */
  maxBodyBytes?: number | undefined;
  /**
   * Send the `X-Libcloud-Request-Id` header (added before signing) so server logs can be matched
   * with this log. Opt-in: turning debugging on never changes what is sent. @defaultValue false
   * (true when LIBCLOUD_DEBUG_REQUEST_ID is set)
   */
  requestIdHeader?: boolean | undefined;
}

/**
 * Something that sees every exchange of every connection (fixture recording). `onResponse` is
 * called once the body is known: at once for buffered responses, when the caller has read (or
 * dropped) a streamed one. @internal
 */
export interface ExchangeRecorder {
  /** Largest body kept for the recorder, in bytes. */
  readonly maxBodyBytes: number;
  onResponse(exchange: RecordedExchange): void;
}

/** One exchange as a recorder sees it. @internal */
export interface RecordedExchange {
  connection: object;
  request: TransportRequest;
  response: HTTPResponse;
  /** The (decoded) body, up to the recorder's limit. */
  body: Buffer;
  /** The body's full size. */
  totalBytes: number;
  /** Whether the body was read to its end without error. */
  complete: boolean;
}

interface LogSink {
  readonly redact: boolean;
  /** undefined: read LIBCLOUD_DEBUG_PRETTY_PRINT_RESPONSE per response. */
  readonly prettyPrint: boolean | undefined;
  readonly maxBodyBytes: number;
  readonly requestIdHeader: boolean;
  write(text: string): void;
  /** Releases what the sink opened itself (a file); never the caller's stream. */
  close?(): void;
}

const env = process.env;
const envUnsafe = envFlag(env["LIBCLOUD_DEBUG_UNSAFE"]);
const summary = debuglog("libcloud");

let sink: LogSink | null = null;
let recorder: ExchangeRecorder | null = null;
let envRecorder: Promise<ExchangeRecorder | null> | null = null;
/** Builds LIBCLOUD_RECORD's recorder; installed by the test kit when it loads (this layer never loads it). */
let envRecorderFactory: ((dir: string) => ExchangeRecorder) | null = null;
const noTestKit = { warned: false };
const attempts = new WeakMap<object, number>();
/** The log's id of each request without a request-id header, by its headers object. */
const requestIds = new WeakMap<object, string>();

function warnOnce(state: { warned: boolean }, error: unknown): void {
  if (state.warned) return;
  state.warned = true;
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.emitWarning(`libcloud debug log disabled: its sink failed (${reason}); requests are not affected`, { code: "LIBCLOUD_DEBUG_SINK_FAILED" });
}

function normalizeOptions(options: DebugOptions): { redact: boolean; prettyPrint: boolean | undefined; maxBodyBytes: number; requestIdHeader: boolean } {
  const maxBodyBytes = options.maxBodyBytes ?? DEBUG_BODY_LIMIT;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 0) throw new RangeError(`maxBodyBytes must be a non-negative integer, got ${String(maxBodyBytes)}`);
  return {
    redact: options.redact ?? !envUnsafe, prettyPrint: options.prettyPrint, maxBodyBytes,
    requestIdHeader: options.requestIdHeader ?? envFlag(env["LIBCLOUD_DEBUG_REQUEST_ID"]),
  };
}

function streamSink(stream: DebugStream, options: DebugOptions): LogSink {
  const state = { warned: false, broken: false };
  const self: LogSink = {
    ...normalizeOptions(options),
    write(text: string): void {
      if (state.broken) return;
      try {
        stream.write(text, (error) => {
          if (error) fail(error);
        });
      } catch (error) {
        fail(error);
      }
    },
  };
  function fail(error: unknown): void {
    state.broken = true;
    if (sink === self) sink = null;
    warnOnce(state, error);
  }
  // An 'error' with no listener would crash the process (EPIPE, a destroyed stream). One listener
  // per stream, however often it is enabled, routed to the sink currently using it.
  streamFailures.set(stream, fail);
  if (!listened.has(stream)) {
    listened.add(stream);
    try {
      stream.on?.("error", (error: Error) => streamFailures.get(stream)?.(error));
    } catch {
      // A sink without a working `on` still gets its write errors through the callback.
    }
  }
  return self;
}

const streamFailures = new WeakMap<object, (error: unknown) => void>();
const listened = new WeakSet<object>();

function fileSink(path: string, options: DebugOptions): LogSink {
  const state = { warned: false, broken: false };
  let fd: number | null = null;
  const self: LogSink = {
    ...normalizeOptions(options),
    write(text: string): void {
      if (state.broken) return;
      try {
        fd ??= openSync(path, "a", 0o600);
        writeSync(fd, text);
      } catch (error) {
        state.broken = true;
        if (sink === self) sink = null;
        warnOnce(state, error);
      }
    },
    close(): void {
      if (fd === null) return;
      try {
        closeSync(fd);
      } catch {
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
export function enableDebug(stream: DebugStream | string | null, options: DebugOptions = {}): void {
  const next = stream === null ? null : typeof stream === "string" ? fileSink(stream, options) : streamSink(stream, options);
  const previous = sink;
  sink = next;
  previous?.close?.();
}

/** Whether the debug log (or NODE_DEBUG=libcloud) is on. */
export function isDebugEnabled(): boolean {
  return sink !== null || summary.enabled;
}

/** Installs (or, with null, removes) the fixture recorder. @internal */
export function setExchangeRecorder(next: ExchangeRecorder | null): void {
  recorder = next;
  envRecorder = null;
}

const envDebugFile = env["LIBCLOUD_DEBUG"];
if (envDebugFile !== undefined && envDebugFile !== "") sink = fileSink(envDebugFile, {});
const envRecordDir = env["LIBCLOUD_RECORD"];

/**
 * Lets the test kit build the recorder for `LIBCLOUD_RECORD=<dir>` (src/test/recorder.ts installs
 * it when it loads): production code never imports the test kit. @internal
 */
export function setEnvironmentRecorderFactory(factory: ((dir: string) => ExchangeRecorder) | null): void {
  envRecorderFactory = factory;
  envRecorder = null;
}

async function currentRecorder(): Promise<ExchangeRecorder | null> {
  if (recorder !== null || envRecordDir === undefined || envRecordDir === "") return recorder;
  const factory = envRecorderFactory;
  if (factory === null) {
    if (!noTestKit.warned) {
      noTestKit.warned = true;
      process.emitWarning("LIBCLOUD_RECORD is set but the test kit is not loaded: run with `node --import libcloud-ts/test`", { code: "LIBCLOUD_RECORD_FAILED" });
    }
    return null;
  }
  // Built on the first request: recording code never weighs on ordinary use.
  envRecorder ??= Promise.resolve(envRecordDir).then(factory).catch((error: unknown) => {
    process.emitWarning(`LIBCLOUD_RECORD: could not start recording (${String(error)})`, { code: "LIBCLOUD_RECORD_FAILED" });
    return null;
  });
  return envRecorder;
}

/**
 * Adds the request-id header while the debug log runs with `requestIdHeader` (called before
 * signing, so signed requests stay valid). @internal
 */
export function addRequestIdHeader(headers: Record<string, string>): void {
  if (sink === null || !sink.requestIdHeader) return;
  for (const name of Object.keys(headers)) if (name.toLowerCase() === REQUEST_ID_HEADER.toLowerCase()) return;
  headers[REQUEST_ID_HEADER] = randomUUID();
}

function requestIdOf(headers: Record<string, string>): string | undefined {
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() === REQUEST_ID_HEADER.toLowerCase()) return value;
  return undefined;
}

/**
 * Sends one request through the transport, letting the debug log, NODE_DEBUG=libcloud and a
 * recorder see it. With none of them on it is exactly `transport.request(request)`. The response
 * is the transport's own, except that a streamed body is observed as the caller reads it. @internal
 */
export function observeExchange(connection: object, transport: Transport, request: TransportRequest): Promise<HTTPResponse> {
  // The usual path (no log, no recorder) is the transport's own promise: no async frame around it.
  if (sink === null && recorder === null && !summary.enabled && (envRecordDir === undefined || envRecordDir === "")) return transport.request(request);
  return observeSlow(connection, transport, request);
}

async function observeSlow(connection: object, transport: Transport, request: TransportRequest): Promise<HTTPResponse> {
  const log = sink;
  const rec = envRecordDir === undefined || envRecordDir === "" ? recorder : await currentRecorder();
  if (log === null && rec === null && !summary.enabled) return transport.request(request);

  const clock = getClock();
  const started = clock.now();
  // One id per request (its attempts share the headers object), sent or not.
  const id = requestIdOf(request.headers) ?? requestIds.get(request.headers) ?? randomUUID();
  requestIds.set(request.headers, id);
  const attempt = (attempts.get(request.headers) ?? 0) + 1;
  attempts.set(request.headers, attempt);
  const className = String(connection.constructor.name);
  const view = log === null ? null : new ExchangeView(connection, transport, request, log);
  if (view !== null) emit(log, () => view.requestBlock(id, attempt, className));

  let response: HTTPResponse;
  try {
    response = await transport.request(request);
  } catch (error) {
    const ms = Math.round(clock.now() - started);
    const e = error as { name?: unknown; code?: unknown; message?: unknown } | null;
    const what = `${typeof e?.name === "string" ? e.name : "Error"}${typeof e?.code === "string" ? ` ${e.code}` : ""}`;
    const message = typeof e?.message === "string" ? e.message : "";
    if (view !== null) emit(log, () => view.comment([`-------- error ${id} attempt ${attempt} after ${ms} ms: ${what}: ${message}`]));
    if (summary.enabled) summaryLine(connection, transport, request, `${id} ${request.method} %s -> ${what} (${ms} ms)`);
    throw error;
  }
  const ms = Math.round(clock.now() - started);
  if (summary.enabled) {
    summaryLine(connection, transport, request,
      `${id} ${request.method} %s -> ${response.status} ${response.reason} (${ms} ms)${response.stream === null ? "" : " streamed"}`);
  }
  if (view === null && rec === null) return response;

  const stream = response.stream;
  if (stream === null) {
    const body = response.bodyBuffer ?? Buffer.alloc(0);
    if (view !== null) emit(log, () => view.responseBlock(id, attempt, ms, response, body, body.length, true));
    if (rec !== null) notify(rec, { connection, request, response, body: body.subarray(0, rec.maxBodyBytes), totalBytes: body.length, complete: true });
    return response;
  }
  // A streamed body: log the status and headers now, the body as the caller reads it (bounded).
  if (view !== null) emit(log, () => view.responseBlock(id, attempt, ms, response, null, 0, false));
  const limit = Math.max(view === null ? 0 : log!.maxBodyBytes, rec?.maxBodyBytes ?? 0);
  const observed = observeStream(stream, limit, (body, total, complete) => {
    if (view !== null) emit(log, () => view.streamBodyBlock(id, attempt, response, body.subarray(0, log!.maxBodyBytes), total, complete));
    if (rec !== null) notify(rec, { connection, request, response, body: body.subarray(0, rec.maxBodyBytes), totalBytes: total, complete });
  });
  return new HTTPResponse({
    status: response.status, reason: response.reason, headers: response.headers, rawHeaders: response.rawHeaders,
    version: response.version, body: observed,
  });
}

/**
 * Writes a block built by `make`. Building or writing never fails the request: a block that
 * cannot be built (a body the formatter chokes on) is replaced by a one-line comment.
 */
function emit(log: LogSink | null, make: () => string): void {
  if (log === null) return;
  let text: string;
  try {
    text = make();
  } catch (error) {
    const what = error instanceof Error ? error.name : typeof error;
    text = `# (libcloud-ts could not format this log entry: ${what.replace(/[^\w.-]/g, "?")})\n\n`;
  }
  try {
    log.write(text);
  } catch {
    // The sink handles its own failures; nothing here may fail a request.
  }
}

/** A NODE_DEBUG=libcloud line: the origin and target redacted and scrubbed by the log's rules. */
function summaryLine(connection: object, transport: Transport, request: TransportRequest, format: string): void {
  try {
    const { declared, secrets } = requestSecrets(connection, request);
    const target = redactTarget(request.url, declared.params, secrets);
    // One-line: control characters cannot split the line; secrets are scrubbed from every part.
    // eslint-disable-next-line no-control-regex
    const line = scrubSecrets(format.replace("%s", `${transport.host}${target}`), secrets).replace(/[\x00-\x1f\x7f]/g, "?");
    summary("%s", line);
  } catch {
    // A summary never fails a request.
  }
}

function notify(rec: ExchangeRecorder, exchange: RecordedExchange): void {
  try {
    rec.onResponse(exchange);
  } catch (error) {
    process.emitWarning(`libcloud recorder failed: ${String(error)}`, { code: "LIBCLOUD_RECORD_FAILED" });
  }
}

/**
 * A stream that yields the source's chunks unchanged (same backpressure: nothing is read ahead of
 * the caller) and keeps the first `limit` bytes for the log. `done` runs once, when the body ends,
 * fails, or the caller drops it.
 */
function observeStream(source: Readable, limit: number, done: (body: Buffer, total: number, complete: boolean) => void): Readable {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let total = 0;
  let finished = false;
  const finish = (complete: boolean): void => {
    if (finished) return;
    finished = true;
    try {
      done(Buffer.concat(kept, keptBytes), total, complete);
    } catch {
      // Observers never fail the caller's read.
    }
  };
  async function* pump(): AsyncGenerator<Buffer> {
    let complete = false;
    try {
      for await (const piece of source) {
        const chunk = piece as Buffer;
        total += chunk.length;
        if (keptBytes < limit) {
          const part = Buffer.from(chunk.subarray(0, limit - keptBytes));
          kept.push(part);
          keptBytes += part.length;
        }
        yield chunk;
      }
      complete = true;
    } finally {
      finish(complete);
    }
  }
  const out = Readable.from(pump(), { objectMode: false, highWaterMark: source.readableHighWaterMark });
  // Dropped before the first read: the generator never started, so release the source here.
  out.once("close", () => {
    if (!source.destroyed) source.destroy();
    finish(false);
  });
  return out;
}

// ---- formatting ------------------------------------------------------------------------------

/** Quotes a word for POSIX shells: single quotes, `'` as `'\''`. Control characters need {@link shellWord}. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * A shell word for any text: plain single quotes, or bash's `$'…'` when it holds control
 * characters (a newline would otherwise split the command over lines). Text with NUL cannot be an
 * argument at all: see {@link curlCommand}, which pipes such bodies through printf.
 */
export function shellWord(text: string): string {
  if (!CONTROL.test(text)) return shellQuote(text);
  let out = "$'";
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === "'") out += "\\'";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}'`;
}

/** A printf %b argument that reproduces `text` exactly (NUL included), single-quoted. */
function printfArgument(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    if (byte === 0x5c) out += "\\\\";
    else if (byte < 0x20 || byte === 0x7f || byte >= 0x80) out += `\\0${byte.toString(8).padStart(3, "0")}`;
    else out += String.fromCharCode(byte);
  }
  return shellQuote(out);
}

/** What the log knows of a body. */
type BodyView =
  | { kind: "none" }
  | { kind: "text"; text: string; totalBytes: number; truncated: boolean }
  | { kind: "binary"; totalBytes: number }
  | { kind: "stream" };

function headerValue(headers: Readonly<Record<string, string>>, name: string): string {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return "";
}

/** What the curl line reads of a connection (any object may stand in for one). */
interface LoggedConnection {
  proxyUrl?: unknown;
  certFile?: unknown;
  keyFile?: unknown;
  keyPassphrase?: unknown;
  caCert?: unknown;
  verifySslCert?: unknown;
}

/** The log's view of one exchange: redaction state (the secrets seen so far) and formatting. */
class ExchangeView {
  readonly #secrets: Set<string>;
  readonly #declared: SensitiveDeclarations;
  readonly #log: LogSink;

  constructor(readonly connection: LoggedConnection | null | undefined, readonly transport: Transport, readonly request: TransportRequest, log: LogSink) {
    this.#log = log;
    this.#declared = sensitiveDeclarations(connection);
    this.#secrets = log.redact ? connectionSecrets(connection) : new Set();
  }

  /** Replaces every known secret in text (nothing in unsafe mode). */
  scrub(text: string): string {
    return this.#log.redact ? scrubSecrets(text, this.#secrets) : text;
  }

  requestBlock(id: string, attempt: number, className: string): string {
    const { request, transport } = this;
    const redact = this.#log.redact;
    const headers = redact ? redactHeaders(request.headers, this.#declared.headers, this.#secrets, undefined, this.#declared.params) : { ...request.headers };
    const target = redact ? redactTarget(request.url, this.#declared.params, this.#secrets) : request.url;
    const body = this.#requestBody(request.body, headerValue(request.headers, "content-type"));
    const words: string[] = ["curl", "-i"];
    if (request.method === "HEAD") words.push("-I");
    else words.push("-X", request.method);
    for (const [name, value] of Object.entries(headers)) words.push("-H", shellWord(`${name}: ${this.scrub(value)}`));
    let pipe = "";
    let note = "";
    if (body.kind === "text") {
      const text = this.scrub(body.text);
      if (text.includes("\0")) {
        pipe = `printf '%b' ${printfArgument(text)} | `;
        words.push("--data-binary", "@-");
      } else {
        words.push("--data-binary", shellWord(text));
      }
      if (body.truncated) note = ` # body truncated: first ${this.#log.maxBodyBytes} of ${body.totalBytes} bytes`;
    } else if (body.kind === "binary") {
      note = ` # body: <binary ${body.totalBytes} bytes>`;
    } else if (body.kind === "stream") {
      note = " # body: <stream, not logged>";
    }
    if (/\bgzip\b/i.test(headerValue(request.headers, "accept-encoding"))) words.push("--compressed");
    const conn = this.connection;
    const proxy: unknown = conn?.proxyUrl ?? (transport as { proxy?: { href?: unknown } | null }).proxy?.href;
    if (typeof proxy === "string" && proxy !== "") words.push("--proxy", shellWord(redact ? this.scrub(redactProxyUrl(proxy)) : proxy));
    if (typeof conn?.certFile === "string") words.push("--cert", shellWord(pemWord(conn.certFile)));
    if (typeof conn?.keyFile === "string") words.push("--key", shellWord(pemWord(conn.keyFile)));
    if (typeof conn?.keyPassphrase === "string") words.push("--pass", shellWord(redact ? REDACTED : conn.keyPassphrase));
    if (typeof conn?.caCert === "string") words.push("--cacert", shellWord(pemWord(conn.caCert)));
    if (conn?.verifySslCert === false) words.push("-k");
    const url = this.scrub(`${transport.host}${target}`);
    if (/[[\]{}]/.test(url)) words.push("-g"); // curl would read brackets and braces (IPv6, filter[x]=) as globs
    words.push(shellWord(url));
    const when = new Date().toISOString();
    const head = this.comment([`-------- request ${id} attempt ${attempt} at ${when} (${className}${redact ? "" : ", UNSAFE: not redacted"})`]).slice(0, -1);
    return `${head}${pipe}${words.join(" ")}${note}\n`;
  }

  #requestBody(body: TransportRequest["body"], contentType: string): BodyView {
    if (body === undefined || body === null || body === "") return { kind: "none" };
    let bytes: Buffer;
    if (typeof body === "string") {
      const totalBytes = Buffer.byteLength(body);
      return this.#textView(body.length > this.#log.maxBodyBytes ? Buffer.from(body.slice(0, this.#log.maxBodyBytes)) : Buffer.from(body), totalBytes, contentType, false);
    }
    if (body instanceof Uint8Array) bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    else return { kind: "stream" };
    if (looksBinary(bytes.subarray(0, this.#log.maxBodyBytes), contentType === "" ? "text/plain" : contentType)) return { kind: "binary", totalBytes: bytes.length };
    return this.#textView(bytes, bytes.length, contentType, false);
  }

  #textView(bytes: Buffer, totalBytes: number, contentType: string, pretty: boolean, complete = true): BodyView {
    const limit = this.#log.maxBodyBytes;
    const truncated = totalBytes > limit || !complete;
    let text = bytes.subarray(0, limit).toString("utf8");
    if (truncated) text = text.replace(/\uFFFD+$/, "");
    text = redactBodyText(text, contentType, this.#declared, this.#secrets, { redact: this.#log.redact, pretty, complete: !truncated });
    return { kind: "text", text, totalBytes, truncated };
  }

  #responseHead(id: string, attempt: number, ms: number | null, response: HTTPResponse, suffix: string): string[] {
    const lines = [`-------- response ${id} attempt ${attempt}${ms === null ? "" : ` after ${ms} ms`}${suffix}`, `HTTP/${response.version} ${response.status} ${response.reason}`.trimEnd()];
    const raw = response.rawHeaders.length > 0 ? response.rawHeaders : Object.entries(response.headers).flat();
    const secrets = this.#log.redact ? this.#secrets : new Set<string>();
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!;
      const value = raw[i + 1]!;
      const shown = this.#log.redact
        ? redactResponseHeaders({ [name]: value }, this.#declared.headers, secrets, this.#declared.params)[name]!
        : value;
      lines.push(`${name}: ${shown}`);
    }
    return lines;
  }

  responseBlock(id: string, attempt: number, ms: number, response: HTTPResponse, body: Buffer | null, totalBytes: number, _complete: boolean): string {
    const lines = this.#responseHead(id, attempt, ms, response, body === null ? " (streamed body: logged as the caller reads it)" : "");
    if (body !== null) lines.push("", ...this.#responseBodyLines(response, body, totalBytes, true));
    return this.comment(lines);
  }

  streamBodyBlock(id: string, attempt: number, response: HTTPResponse, body: Buffer, totalBytes: number, complete: boolean): string {
    const lines = [`-------- response body ${id} attempt ${attempt}: ${totalBytes} bytes${complete ? "" : " (not read to the end)"}`];
    lines.push(...this.#responseBodyLines(response, body, totalBytes, complete));
    return this.comment(lines);
  }

  #responseBodyLines(response: HTTPResponse, body: Buffer, totalBytes: number, complete: boolean): string[] {
    if (totalBytes === 0) return [];
    const contentType = response.headers["content-type"] ?? "";
    if (looksBinary(body.subarray(0, this.#log.maxBodyBytes), contentType)) return [`<binary ${totalBytes} bytes>`];
    const decoded = response.headers["content-encoding"] ?? "";
    // Read for every response, as libcloud's _log_response reads the environment each time.
    const pretty = this.#log.prettyPrint ?? envFlag(process.env["LIBCLOUD_DEBUG_PRETTY_PRINT_RESPONSE"]);
    const view = this.#textView(body, totalBytes, contentType, pretty, complete);
    if (view.kind !== "text") return [];
    const lines = (decoded === "" ? [] : [`(body decoded from ${decoded})`]).concat(view.text.split(/\r?\n/));
    if (view.truncated) lines.push(`<truncated: first ${Math.min(body.length, this.#log.maxBodyBytes)} of ${totalBytes} bytes shown>`);
    return lines;
  }

  /** Every line as a shell comment, secrets scrubbed. */
  comment(lines: string[]): string {
    return commentLines(lines.map((line) => this.scrub(line)));
  }
}

/**
 * Lines as shell comments: every line (a multi-line message or body included) starts with `# `,
 * and control characters that a terminal or shell could act on become U+FFFD, so nothing written
 * into the log can leave its comment.
 */
export function commentLines(lines: readonly string[]): string {
  const out: string[] = [];
  for (const line of lines) {
    for (const part of line.split(/\r\n|\r|\n|\u2028|\u2029/)) {
      // eslint-disable-next-line no-control-regex
      out.push(`# ${part.replace(/[\x00-\x08\x0b-\x1f\x7f\u0085]/g, "\uFFFD")}`.trimEnd());
    }
  }
  return `${out.join("\n")}\n\n`;
}

/** A PEM given as contents is not printed; a path is. */
function pemWord(value: string): string {
  return value.includes("-----BEGIN") ? "<PEM contents, not logged>" : value;
}
