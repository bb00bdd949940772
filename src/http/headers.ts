// What the transport puts on the wire as a request header, as one rule: the connection's header
// normalisation and the transport's last check before sending both use it, so every request kind
// (buffered, raw, streamed, through hooks and signers) is refused the same way, before a byte is sent.

/** An HTTP token (RFC 9110 §5.6.2): what a header name must be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A field value: tab, visible ASCII, space and obs-text (Latin-1); nothing else (RFC 9110 §5.5). */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Headers the transport frames itself, or that would change how the connection behaves: hop-by-hop
 * headers (RFC 9110 §7.6.1) and `Expect` (undici cannot do `100-continue`). Given by a caller, each is
 * refused rather than silently dropped or sent.
 */
const REFUSED_HEADERS: ReadonlyMap<string, string> = new Map([
  ["connection", "a hop-by-hop header; the transport manages the connection"],
  ["keep-alive", "a hop-by-hop header; the transport manages the connection"],
  ["proxy-connection", "a hop-by-hop header; the transport manages the connection"],
  ["te", "a hop-by-hop header"],
  ["trailer", "a hop-by-hop header"],
  ["transfer-encoding", "a hop-by-hop header; the transport frames the body"],
  ["upgrade", "a hop-by-hop header; protocol upgrades are not supported"],
  ["expect", "Expect (100-continue) is not supported by the transport"],
]);

/**
 * A request header the transport refuses. A `TypeError` (SPEC: bad header input is a TypeError),
 * with a stable `code`; the request was never sent (`requestSent` is false), so it is never retried.
 * The message names the header, never its value (a value may be a credential).
 */
export class InvalidHeaderError extends TypeError {
  /** The class name, `"InvalidHeaderError"` (also shown by `toString()`). */
  override name = "InvalidHeaderError";
  /** `ERR_INVALID_HEADER_NAME`, `ERR_INVALID_HEADER_VALUE`, `ERR_REFUSED_HEADER` or `ERR_DUPLICATE_HEADER`. */
  readonly code: string;
  /** The header's name as given (cut to 80 characters). */
  readonly header: string;
  /** Always false: the request was refused before anything was sent. */
  readonly requestSent = false;

  constructor(message: string, code: string, header: string) {
    super(message);
    this.code = code;
    this.header = header.slice(0, 80);
  }
}

function shownName(name: string): string {
  return JSON.stringify(name).slice(0, 82);
}

/**
 * Header names already found to be tokens that may be sent, each with its lower-case form: the same
 * few names come with every request, so each is checked once. Bounded: emptied when full.
 */
const checkedNames = new Map<string, string>();
const MAX_CHECKED_NAMES = 512;

/** Checks a header name (a token, not refused); returns its lower-case form. */
function checkName(name: string): string {
  const known = checkedNames.get(name);
  if (known !== undefined) return known;
  if (!TOKEN.test(name)) throw new InvalidHeaderError(`Invalid header name ${shownName(name)}: a header name must be an HTTP token`, "ERR_INVALID_HEADER_NAME", name);
  const lower = name.toLowerCase();
  const refused = REFUSED_HEADERS.get(lower);
  if (refused !== undefined) throw new InvalidHeaderError(`Header "${name}" cannot be sent: ${refused}`, "ERR_REFUSED_HEADER", name);
  if (checkedNames.size >= MAX_CHECKED_NAMES) checkedNames.clear();
  checkedNames.set(name, lower);
  return lower;
}

/** Checks one header (name and string value), throwing InvalidHeaderError; returns the name in lower case. */
export function checkHeader(name: string, value: string): string {
  const lower = checkName(name);
  if (!FIELD_VALUE.test(value)) {
    throw new InvalidHeaderError(
      `Invalid value for header "${name}": only tab, printable ASCII and Latin-1 characters are allowed (no CR, LF, NUL, other control characters, DEL or characters above U+00FF)`,
      "ERR_INVALID_HEADER_VALUE", name,
    );
  }
  if (lower === "content-length" && !/^\d{1,15}$/.test(value)) {
    throw new InvalidHeaderError(`Invalid value for header "${name}": must be a non-negative integer`, "ERR_INVALID_HEADER_VALUE", name);
  }
  return lower;
}

/**
 * The transport's last check of a request's headers: each header, one Content-Length at most (in
 * any case), and a Content-Length that matches a body of known length.
 */
export function checkRequestHeaders(headers: Readonly<Record<string, string>>, bodyLength: number | undefined): void {
  let contentLength: string | undefined;
  for (const name of Object.keys(headers)) {
    const value = headers[name]!;
    if (typeof value !== "string") throw new InvalidHeaderError(`Invalid value for header "${name}": must be a string`, "ERR_INVALID_HEADER_VALUE", name);
    if (checkHeader(name, value) === "content-length") {
      if (contentLength !== undefined) throw new InvalidHeaderError(`Header "${name}" given twice`, "ERR_INVALID_HEADER_VALUE", name);
      contentLength = value;
      if (bodyLength !== undefined && Number(value) !== bodyLength) {
        throw new InvalidHeaderError(`Header "${name}" says ${value} bytes but the body has ${bodyLength}`, "ERR_INVALID_HEADER_VALUE", name);
      }
    }
  }
}
