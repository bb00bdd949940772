// Port of Python's xml.etree.ElementTree as libcloud uses it (ET.XML, find/findall/findtext).
//
// The parser is a small iterative tokenizer written for this module, not a
// library: of the candidates measured in bench/xml-parsers.ts (fast-xml-parser,
// saxes, txml, @xmldom/xmldom) none was both well-formedness-strict and within
// Python's ElementTree time on a 1,000-entry listing. docs/xml-parser-choice.md
// has the numbers. Nothing here recurses, so deep documents fail with
// XmlParseError instead of a stack overflow, and every scan is linear.

import { LibcloudError } from "../common/types.js";

/** Prefix → namespace URI map for `find`/`findall`/`findtext` paths (`""` is the default namespace). */
export type XmlNamespaces = Readonly<Record<string, string>>;

/** Options for {@link parseXml}. */
export interface ParseXmlOptions {
  /**
   * Deepest element nesting accepted; deeper documents throw {@link XmlParseError}.
   * @defaultValue 10000
   */
  maxDepth?: number;
  /**
   * Most attributes accepted on one element; more throw {@link XmlParseError}.
   * Each attribute becomes a key of a JavaScript object, and 100,000 of those
   * cost V8 ~100 ms, so the default follows the JDK's `elementAttributeLimit`.
   * @defaultValue 10000
   */
  maxAttributes?: number;
}

/** Options for {@link serializeXml}. */
export interface SerializeXmlOptions {
  /**
   * Indent with 2 spaces per level, the way Python's `ET.indent` does
   * (whitespace-only text and tails are replaced; other text is kept).
   * @defaultValue false
   */
  pretty?: boolean;
}

/**
 * A malformed XML document: what Python's `xml.etree.ElementTree.ParseError`
 * reports. `line` is 1-based and `column` 0-based, as expat counts them (after
 * line-end normalisation and without a leading BOM).
 */
export class XmlParseError extends LibcloudError {
  /** The class name, `"XmlParseError"` (also shown by `toString()`). */
  override readonly name = "XmlParseError";
  /** 1-based line of the offending character. */
  readonly line: number;
  /** 0-based column of the offending character. */
  readonly column: number;

  constructor(message: string, line: number, column: number) {
    super(`${message}: line ${line}, column ${column}`);
    this.line = line;
    this.column = column;
  }
}

const DEFAULT_MAX_DEPTH = 10_000;
const DEFAULT_MAX_ATTRIBUTES = 10_000;
const XML_NS = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

/**
 * One element of the tree, as in ElementTree. Names in a namespace are
 * `{uri}local` (element and attribute names alike); `xmlns` declarations are
 * not attributes. `text` is the character data before the first child, `tail`
 * the character data after this element's end tag, up to the next sibling.
 */
export class Element {
  /** `local` or `{uri}local`. */
  tag: string;
  /** Attributes by (resolved) name; a null-prototype object. */
  attrib: Record<string, string>;
  /** Character data before the first child, or null when there is none. */
  text: string | null = null;
  /** Character data after the end tag, up to the next sibling, or null. */
  tail: string | null = null;
  /** Child elements in document order. */
  children: Element[] = [];

  /**
   * @param tag - `local` or `{uri}local`
   * @param attrib - initial attributes; copied
   */
  constructor(tag: string, attrib?: Readonly<Record<string, string>>) {
    this.tag = tag;
    this.attrib = Object.create(null) as Record<string, string>;
    if (attrib !== undefined) Object.assign(this.attrib, attrib);
  }

  /** Number of children (Python's `len(elem)`). */
  get length(): number {
    return this.children.length;
  }

  /** Iterates over the children (Python's `for child in elem`). */
  [Symbol.iterator](): IterableIterator<Element> {
    return this.children.values();
  }

  /** The attribute `key`, or `defaultValue` (null unless given) when absent. */
  get(key: string): string | null;
  get(key: string, defaultValue: string): string;
  get(key: string, defaultValue: string | null): string | null;
  get(key: string, defaultValue: string | null = null): string | null {
    const value = this.attrib[key];
    return value === undefined ? defaultValue : value;
  }

  /**
   * This element and its descendants in document order whose tag is `tag`
   * (all of them for `"*"` or no tag). Iterative, so any depth is fine.
   */
  *iter(tag?: string): Generator<Element, void, undefined> {
    const wanted = tag === undefined || tag === "*" ? null : tag;
    const stack: Element[] = [this];
    let el: Element | undefined;
    while ((el = stack.pop()) !== undefined) {
      if (wanted === null || el.tag === wanted) yield el;
      const kids = el.children;
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i] as Element);
    }
  }

  /** The first element matching the ElementTree `path`, or null. */
  find(path: string, namespaces?: XmlNamespaces): Element | null {
    return select(this, path, namespaces, true)[0] ?? null;
  }

  /** Every element matching the ElementTree `path`, in document order. */
  findall(path: string, namespaces?: XmlNamespaces): Element[] {
    return select(this, path, namespaces, false);
  }

  /**
   * The text of the first element matching `path`: `""` when that element has
   * no text, `defaultValue` (null unless given) when nothing matches.
   */
  findtext(path: string): string | null;
  findtext(path: string, defaultValue: string, namespaces?: XmlNamespaces): string;
  findtext(path: string, defaultValue?: string | null, namespaces?: XmlNamespaces): string | null;
  findtext(path: string, defaultValue?: string | null, namespaces?: XmlNamespaces): string | null {
    const found = select(this, path, namespaces, true)[0];
    if (found === undefined) return defaultValue ?? null;
    return found.text ?? "";
  }
}

// ---------------------------------------------------------------------------
// Parser

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const BANG = 33;
const QUOT = 34;
const APOS = 39;
const SLASH = 47;
const COLON = 58;
const LT = 60;
const EQ = 61;
const GT = 62;
const QMARK = 63;

// ASCII name characters (XML 1.0 fifth edition); non-ASCII goes through the range checks below.
const NAME_START = new Uint8Array(128);
const NAME_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === COLON;
  NAME_START[c] = letter ? 1 : 0;
  NAME_CHAR[c] = letter || (c >= 48 && c <= 57) || c === 45 || c === 46 ? 1 : 0;
}

function isNameStartNonAscii(c: number): boolean {
  return (
    (c >= 0xc0 && c <= 0xd6) ||
    (c >= 0xd8 && c <= 0xf6) ||
    (c >= 0xf8 && c <= 0x2ff) ||
    (c >= 0x370 && c <= 0x37d) ||
    (c >= 0x37f && c <= 0x1fff) ||
    (c >= 0x200c && c <= 0x200d) ||
    (c >= 0x2070 && c <= 0x218f) ||
    (c >= 0x2c00 && c <= 0x2fef) ||
    (c >= 0x3001 && c <= 0xd7ff) ||
    (c >= 0xf900 && c <= 0xfdcf) ||
    // expat (and so ElementTree) does not take #x10000-#xEFFFF in names, so surrogates are out.
    (c >= 0xfdf0 && c <= 0xfffd)
  );
}

function isNameCharNonAscii(c: number): boolean {
  return (
    isNameStartNonAscii(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || (c >= 0x203f && c <= 0x2040)
  );
}

function isWs(c: number): boolean {
  return c === SPACE || c === LF || c === TAB || c === CR;
}

function isXmlChar(c: number): boolean {
  return (
    c === TAB ||
    c === LF ||
    c === CR ||
    (c >= 0x20 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0x10ffff)
  );
}

const WS_RUN = /[ \t\n\r]*/y;
// Characters XML 1.0 forbids anywhere in a document (the checks expat makes).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
const PREDEFINED: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

const hasIsWellFormed = typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === "function";

function isWellFormedUtf16(s: string): boolean {
  if (hasIsWellFormed) return (s as string & { isWellFormed(): boolean }).isWellFormed();
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

class Parser {
  private readonly s: string;
  private pos = 0;
  private readonly maxDepth: number;
  private readonly maxAttributes: number;
  private readonly hasAmp: boolean;
  private readonly hasCdataEnd: boolean;
  /** Offset of the first colon of the name scanName last read, or -1. */
  private colon = -1;

  private root: Element | null = null;
  /** The open element whose content is being read (null outside the root). */
  private cur: Element | null = null;
  /** The child of `cur` closed last: character data now goes to its tail. */
  private lastClosed: Element | null = null;
  private readonly elStack: Element[] = [];
  private readonly rawStack: string[] = [];
  private readonly declStack: (string[] | null)[] = [];
  /** Prefix ("" for the default namespace) → stack of URIs in scope ("" = no namespace). */
  private readonly bindings = new Map<string, string[]>([["xml", [XML_NS]]]);
  // A small direct-mapped cache of element names: raw qualified name → resolved tag.
  // Matching with startsWith avoids slicing and hashing the name of every tag;
  // an entry is valid only for the namespace bindings (`generation`) it was made with.
  private readonly nameRaw: (string | undefined)[] = new Array<string | undefined>(256).fill(undefined);
  private readonly nameTag: string[] = new Array<string>(256).fill("");
  private readonly nameGen: number[] = new Array<number>(256).fill(-1);
  private generation = 0;
  /** Raw name of the element resolveElement last resolved. */
  private raw = "";

  constructor(text: string, maxDepth: number, maxAttributes: number) {
    let s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    // XML 1.0 §2.11: line ends are normalised before parsing, so &#13; alone survives.
    if (s.indexOf("\r") !== -1) s = s.replace(/\r\n?/g, "\n");
    this.s = s;
    this.maxDepth = maxDepth;
    this.maxAttributes = maxAttributes;
    const bad = s.search(FORBIDDEN_CHAR);
    if (bad !== -1) this.fail("not well-formed (invalid character)", bad);
    if (!isWellFormedUtf16(s)) this.fail("not well-formed (lone surrogate)", 0);
    this.hasAmp = s.indexOf("&") !== -1;
    this.hasCdataEnd = s.indexOf("]]>") !== -1;
  }

  run(): Element {
    this.prolog();
    this.content();
    this.epilog();
    return this.root as Element;
  }

  private fail(message: string, at: number = this.pos): never {
    const s = this.s;
    const end = Math.min(at, s.length);
    let line = 1;
    let lineStart = 0;
    for (let i = s.indexOf("\n"); i !== -1 && i < end; i = s.indexOf("\n", i + 1)) {
      line++;
      lineStart = i + 1;
    }
    throw new XmlParseError(at >= s.length ? `${message} (unexpected end of document)` : message, line, end - lineStart);
  }

  /** Reads a QName starting at `pos`; returns its end and leaves its first colon in `this.colon`. */
  private scanName(pos: number): number {
    const s = this.s;
    let c = s.charCodeAt(pos);
    if (c < 128 ? NAME_START[c] !== 1 || c === COLON : !isNameStartNonAscii(c)) {
      this.fail("not well-formed (invalid token)", pos);
    }
    const start = pos;
    let colon = -1;
    for (pos++; ; pos++) {
      c = s.charCodeAt(pos);
      if (c < 128) {
        if (NAME_CHAR[c] !== 1) break;
        if (c === COLON) {
          if (colon !== -1) this.fail("not well-formed (invalid token)", pos);
          colon = pos;
        }
      } else if (!isNameCharNonAscii(c)) {
        break; // also NaN at the end of input
      }
    }
    if (colon === pos - 1 || colon === start) this.fail("not well-formed (invalid token)", colon);
    if (colon !== -1) {
      // The local part is an NCName too: it may not start with a digit, "-" or "." (expat: `x:0a`).
      const next = s.charCodeAt(colon + 1);
      if (next < 128 ? NAME_START[next] !== 1 : !isNameStartNonAscii(next)) this.fail("not well-formed (invalid token)", colon + 1);
    }
    this.colon = colon;
    return pos;
  }

  private skipWs(pos: number): number {
    const s = this.s;
    if (!isWs(s.charCodeAt(pos))) return pos;
    if (!isWs(s.charCodeAt(pos + 1))) return pos + 1;
    // A long run: the regex engine scans it several times faster than a charCodeAt loop.
    WS_RUN.lastIndex = pos + 2;
    WS_RUN.test(s);
    return WS_RUN.lastIndex;
  }

  /** Decodes entity and character references in `v`, which starts at offset `base`. */
  private decode(v: string, base: number): string {
    let out = "";
    let last = 0;
    for (let amp = v.indexOf("&"); amp !== -1; amp = v.indexOf("&", last)) {
      const semi = v.indexOf(";", amp + 1);
      if (semi === -1) this.fail("not well-formed (invalid token)", base + amp);
      out += v.slice(last, amp);
      const name = v.slice(amp + 1, semi);
      if (name.charCodeAt(0) === 35 /* # */) {
        out += this.charRef(name, base + amp);
      } else {
        const predefined = PREDEFINED[name];
        if (predefined === undefined) {
          this.fail(`undefined entity &${name.length > 40 ? `${name.slice(0, 40)}…` : name};`, base + amp);
        }
        out += predefined;
      }
      last = semi + 1;
    }
    return out + v.slice(last);
  }

  /** `#123` or `#x7B` → the character; anything outside XML's Char production fails. */
  private charRef(name: string, at: number): string {
    const hex = name.charCodeAt(1) === 120; /* x */
    let i = hex ? 2 : 1;
    if (i === name.length) this.fail("not well-formed (invalid token)", at);
    let code = 0;
    for (; i < name.length; i++) {
      const c = name.charCodeAt(i);
      let d: number;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (hex && c >= 97 && c <= 102) d = c - 87;
      else if (hex && c >= 65 && c <= 70) d = c - 55;
      else return this.fail("not well-formed (invalid token)", at);
      code = code * (hex ? 16 : 10) + d;
      // Stop early so a long run of digits can't overflow into a valid-looking number.
      if (code > 0x10ffff) this.fail("reference to invalid character number", at);
    }
    if (!isXmlChar(code)) this.fail("reference to invalid character number", at);
    return String.fromCodePoint(code);
  }

  private appendText(seg: string): void {
    const lc = this.lastClosed;
    if (lc !== null) {
      lc.tail = lc.tail === null ? seg : lc.tail + seg;
    } else {
      const cur = this.cur as Element;
      cur.text = cur.text === null ? seg : cur.text + seg;
    }
  }

  /** XML declaration, comments, PIs, whitespace and an optional DOCTYPE; stops at the root's `<`. */
  private prolog(): void {
    const s = this.s;
    if (s.startsWith("<?xml", 0) && !(NAME_CHAR[s.charCodeAt(5)] === 1 || s.charCodeAt(5) >= 128)) {
      this.xmlDecl();
    }
    let sawDoctype = false;
    for (;;) {
      const pos = this.skipWs(this.pos);
      this.pos = pos;
      if (pos >= s.length) this.fail("no element found", pos);
      if (s.charCodeAt(pos) !== LT) this.fail("not well-formed (invalid token)", pos);
      const c = s.charCodeAt(pos + 1);
      if (c === BANG) {
        if (s.startsWith("<!--", pos)) this.comment();
        else if (!sawDoctype && s.startsWith("<!DOCTYPE", pos)) {
          this.doctype();
          sawDoctype = true;
        } else this.fail("syntax error", pos);
      } else if (c === QMARK) {
        this.pi();
      } else {
        return;
      }
    }
  }

  /** `<?xml version="1.x" encoding="…" standalone="yes|no"?>`; the encoding is only checked for form. */
  private xmlDecl(): void {
    const s = this.s;
    let pos = 5;
    let next = 0; // 0: version expected, 1: encoding or standalone, 2: standalone, 3: nothing more
    for (;;) {
      const afterWs = this.skipWs(pos);
      if (s.startsWith("?>", afterWs)) {
        pos = afterWs + 2;
        break;
      }
      if (afterWs === pos) this.fail("XML declaration not well-formed", pos);
      pos = afterWs;
      let end = pos;
      while (NAME_START[s.charCodeAt(end)] === 1) end++;
      const name = s.slice(pos, end);
      pos = this.skipWs(end);
      if (s.charCodeAt(pos) !== EQ) this.fail("XML declaration not well-formed", pos);
      pos = this.skipWs(pos + 1);
      const q = s.charCodeAt(pos);
      if (q !== QUOT && q !== APOS) this.fail("XML declaration not well-formed", pos);
      const close = s.indexOf(q === QUOT ? '"' : "'", pos + 1);
      if (close === -1) this.fail("XML declaration not well-formed", s.length);
      const value = s.slice(pos + 1, close);
      let ok: boolean;
      if (name === "version" && next === 0) {
        ok = /^[\w.:-]*$/.test(value); // as lax as expat: "2.0" and "" pass
        next = 1;
      } else if (name === "encoding" && next === 1) {
        ok = /^[A-Za-z][A-Za-z0-9._-]*$/.test(value);
        next = 2;
      } else if (name === "standalone" && (next === 1 || next === 2)) {
        ok = value === "yes" || value === "no";
        next = 3;
      } else {
        ok = false;
      }
      if (!ok) this.fail("XML declaration not well-formed", pos);
      pos = close + 1;
    }
    if (next === 0) this.fail("XML declaration not well-formed", pos);
    this.pos = pos;
  }

  /**
   * `<!DOCTYPE name ExternalID?>`. The external DTD is never fetched (as in
   * ElementTree). An internal subset `[...]` is rejected outright: that is
   * where entities (billion laughs, external entities) and attribute defaults
   * are declared, and no cloud API sends one.
   */
  private doctype(): void {
    const s = this.s;
    let pos = this.pos + 9;
    if (!isWs(s.charCodeAt(pos))) this.fail("syntax error", pos);
    pos = this.scanName(this.skipWs(pos));
    let afterWs = this.skipWs(pos);
    if (afterWs > pos && (s.startsWith("SYSTEM", afterWs) || s.startsWith("PUBLIC", afterWs))) {
      const literals = s.charCodeAt(afterWs) === 80 /* P */ ? 2 : 1;
      pos = afterWs + 6;
      for (let i = 0; i < literals; i++) {
        if (!isWs(s.charCodeAt(pos))) this.fail("syntax error", pos);
        pos = this.skipWs(pos);
        const q = s.charCodeAt(pos);
        if (q !== QUOT && q !== APOS) this.fail("syntax error", pos);
        const close = s.indexOf(q === QUOT ? '"' : "'", pos + 1);
        if (close === -1) this.fail("syntax error", s.length);
        pos = close + 1;
      }
      afterWs = this.skipWs(pos);
    }
    pos = afterWs;
    const c = s.charCodeAt(pos);
    if (c === 91 /* [ */) {
      this.fail("DOCTYPE internal subset not allowed (entity declarations are never processed)", pos);
    }
    if (c !== GT) this.fail("syntax error", pos);
    this.pos = pos + 1;
  }

  private comment(): void {
    const s = this.s;
    const end = s.indexOf("--", this.pos + 4);
    if (end === -1) this.fail("unclosed token", s.length);
    if (s.charCodeAt(end + 2) !== GT) this.fail("not well-formed (invalid token)", end);
    this.pos = end + 3;
  }

  private pi(): void {
    const s = this.s;
    const start = this.pos + 2;
    let pos = this.scanName(start);
    const target = s.slice(start, pos);
    if (target === "xml") this.fail("XML or text declaration not at start of entity", this.pos);
    if (target.toLowerCase() === "xml" || this.colon !== -1) this.fail("not well-formed (invalid token)", start);
    if (!s.startsWith("?>", pos)) {
      if (!isWs(s.charCodeAt(pos))) this.fail("not well-formed (invalid token)", pos);
      pos = s.indexOf("?>", pos);
      if (pos === -1) this.fail("unclosed token", s.length);
    }
    this.pos = pos + 2;
  }

  private cdata(): void {
    const s = this.s;
    const start = this.pos + 9;
    const end = s.indexOf("]]>", start);
    if (end === -1) this.fail("unclosed CDATA section", s.length);
    if (end > start) this.appendText(s.slice(start, end));
    this.pos = end + 3;
  }

  /** The root element and everything in it, iteratively. */
  private content(): void {
    const s = this.s;
    this.startTag();
    while (this.cur !== null) {
      const pos = this.pos;
      const lt = s.indexOf("<", pos);
      if (lt === -1) this.fail("no element found", s.length);
      if (lt > pos) {
        let seg = s.slice(pos, lt);
        if (this.hasCdataEnd && seg.indexOf("]]>") !== -1) {
          this.fail("not well-formed (invalid token)", pos + seg.indexOf("]]>"));
        }
        if (this.hasAmp && seg.indexOf("&") !== -1) seg = this.decode(seg, pos);
        this.appendText(seg);
      }
      this.pos = lt;
      const c = s.charCodeAt(lt + 1);
      if (c === SLASH) this.endTag();
      else if (c === BANG) {
        if (s.startsWith("<!--", lt)) this.comment();
        else if (s.startsWith("<![CDATA[", lt)) this.cdata();
        else this.fail("not well-formed (invalid token)", lt);
      } else if (c === QMARK) this.pi();
      else this.startTag();
    }
  }

  private epilog(): void {
    const s = this.s;
    for (;;) {
      const pos = this.skipWs(this.pos);
      this.pos = pos;
      if (pos >= s.length) return;
      if (s.startsWith("<!--", pos)) this.comment();
      else if (s.startsWith("<?", pos)) this.pi();
      else this.fail("junk after document element", pos);
    }
  }

  private startTag(): void {
    const s = this.s;
    const nameStart = this.pos + 1;
    let pos = this.scanName(nameStart);
    const nameEnd = pos;
    const colon = this.colon;
    const el = new Element("");
    const attrib = el.attrib;
    let declared: string[] | null = null;
    let prefixed: string[] | null = null; // name, value, name, value …
    let selfClosing = false;
    let attributes = 0;
    for (;;) {
      let c = s.charCodeAt(pos);
      if (c === GT) {
        pos++;
        break;
      }
      if (c === SLASH) {
        if (s.charCodeAt(pos + 1) !== GT) this.fail("not well-formed (invalid token)", pos);
        pos += 2;
        selfClosing = true;
        break;
      }
      if (!isWs(c)) this.fail("not well-formed (invalid token)", pos);
      pos = this.skipWs(pos + 1);
      c = s.charCodeAt(pos);
      if (c === GT || c === SLASH) continue;
      const attrStart = pos;
      if (++attributes > this.maxAttributes) {
        this.fail(`more than maxAttributes (${this.maxAttributes}) attributes on one element`, attrStart);
      }
      pos = this.scanName(pos);
      const attrColon = this.colon;
      const name = s.slice(attrStart, pos);
      pos = this.skipWs(pos);
      if (s.charCodeAt(pos) !== EQ) this.fail("not well-formed (invalid token)", pos);
      pos = this.skipWs(pos + 1);
      const q = s.charCodeAt(pos);
      if (q !== QUOT && q !== APOS) this.fail("not well-formed (invalid token)", pos);
      const close = s.indexOf(q === QUOT ? '"' : "'", pos + 1);
      if (close === -1) this.fail("unclosed token", s.length);
      const value = close === pos + 1 ? "" : this.attrValue(s.slice(pos + 1, close), pos + 1);
      pos = close + 1;
      if (attrColon === -1 ? name === "xmlns" : attrColon - attrStart === 5 && name.startsWith("xmlns")) {
        declared = this.declare(attrColon === -1 ? "" : name.slice(6), value, declared, attrStart);
      } else if (attrColon === -1 && prefixed === null) {
        if (attrib[name] !== undefined) this.fail("duplicate attribute", attrStart);
        attrib[name] = value;
      } else {
        // From the first prefixed name on, attributes wait for all of the tag's xmlns; order is kept.
        (prefixed ??= []).push(name, value);
      }
    }
    if (this.elStack.length >= this.maxDepth) {
      this.fail(`elements nested deeper than maxDepth (${this.maxDepth})`, nameStart - 1);
    }
    el.tag = this.resolveElement(nameStart, nameEnd, colon);
    const raw = this.raw;
    if (prefixed !== null) {
      for (let i = 0; i < prefixed.length; i += 2) {
        const name = prefixed[i] as string;
        const colonAt = name.indexOf(":");
        const key = colonAt === -1 ? name : this.resolveAttribute(name, colonAt, nameStart);
        if (attrib[key] !== undefined) this.fail("duplicate attribute", nameStart);
        attrib[key] = prefixed[i + 1] as string;
      }
    }
    const parent = this.cur;
    if (parent === null) this.root = el;
    else parent.children.push(el);
    if (selfClosing) {
      if (declared !== null) this.undeclare(declared);
      this.lastClosed = el;
    } else {
      this.elStack.push(el);
      this.rawStack.push(raw);
      this.declStack.push(declared);
      this.cur = el;
      this.lastClosed = null;
    }
    this.pos = pos;
  }

  private endTag(): void {
    const s = this.s;
    let pos = this.pos + 2;
    const raw = this.rawStack[this.rawStack.length - 1] as string;
    if (!s.startsWith(raw, pos)) this.fail("mismatched tag", pos);
    pos = this.skipWs(pos + raw.length);
    if (s.charCodeAt(pos) !== GT) this.fail("mismatched tag", pos);
    this.pos = pos + 1;
    const el = this.elStack.pop() as Element;
    this.rawStack.pop();
    const declared = this.declStack.pop();
    if (declared) this.undeclare(declared);
    this.lastClosed = el;
    this.cur = this.elStack[this.elStack.length - 1] ?? null;
  }

  /** Attribute-value normalisation (XML 1.0 §3.3.3) then reference decoding. */
  private attrValue(v: string, base: number): string {
    if (v.indexOf("<") !== -1) this.fail("not well-formed (invalid token)", base + v.indexOf("<"));
    if (v.indexOf("\n") !== -1 || v.indexOf("\t") !== -1) v = v.replace(/[\n\t]/g, " ");
    if (this.hasAmp && v.indexOf("&") !== -1) v = this.decode(v, base);
    return v;
  }

  private declare(prefix: string, uri: string, declared: string[] | null, at: number): string[] {
    if (prefix === "xmlns") this.fail("reserved prefix (xmlns) must not be declared or undeclared", at);
    if ((prefix === "xml") !== (uri === XML_NS)) {
      this.fail("reserved prefix (xml) must not be undeclared or bound to another namespace name", at);
    }
    if (uri === XMLNS_NS) this.fail("reserved namespace name must not be declared", at);
    if (prefix !== "" && uri === "") this.fail("must not undeclare prefix", at);
    if (declared !== null && declared.includes(prefix)) this.fail("duplicate attribute", at);
    let stack = this.bindings.get(prefix);
    if (stack === undefined) this.bindings.set(prefix, (stack = []));
    stack.push(uri);
    this.generation++;
    if (declared === null) return [prefix];
    declared.push(prefix);
    return declared;
  }

  private undeclare(declared: readonly string[]): void {
    for (const prefix of declared) this.bindings.get(prefix)?.pop();
    this.generation++;
  }

  /** The element name at [start, end) (first colon at `colon`, or -1) → `local` or `{uri}local`; sets `this.raw`. */
  private resolveElement(start: number, end: number, colon: number): string {
    const s = this.s;
    const len = end - start;
    const slot = (len * 31 + s.charCodeAt(start) * 7 + s.charCodeAt(end - 1)) & 255;
    const cached = this.nameRaw[slot];
    if (cached !== undefined && cached.length === len && this.nameGen[slot] === this.generation && s.startsWith(cached, start)) {
      this.raw = cached;
      return this.nameTag[slot] as string;
    }
    const raw = s.slice(start, end);
    let tag: string;
    if (colon === -1) {
      const uri = this.bindings.get("")?.at(-1);
      tag = uri ? `{${uri}}${raw}` : raw;
    } else {
      const uri = this.bindings.get(raw.slice(0, colon - start))?.at(-1);
      if (uri === undefined) this.fail("unbound prefix", start);
      tag = `{${uri}}${raw.slice(colon - start + 1)}`;
    }
    this.nameRaw[slot] = raw;
    this.nameTag[slot] = tag;
    this.nameGen[slot] = this.generation;
    this.raw = raw;
    return tag;
  }

  /** A prefixed attribute name → `{uri}local` (unprefixed attributes are in no namespace). */
  private resolveAttribute(name: string, colon: number, at: number): string {
    const uri = this.bindings.get(name.slice(0, colon))?.at(-1);
    if (uri === undefined) this.fail("unbound prefix", at);
    return `{${uri}}${name.slice(colon + 1)}`;
  }
}

/**
 * Parses a whole XML document (Python's `ET.XML`) and returns its root element.
 *
 * Safety: external entities and DTDs are never fetched; a DOCTYPE with an
 * internal subset (where entities are declared) is rejected, so entity
 * expansion (billion laughs) cannot happen; only the five predefined entities
 * and character references are decoded. Every scan is linear and nothing
 * recurses. A leading BOM is dropped; the declared encoding is only checked
 * for form, since `text` is already decoded.
 *
 * @throws XmlParseError for any document that is not well-formed, nested
 * deeper than `maxDepth`, or with more than `maxAttributes` on one element.
 */
export function parseXml(text: string, options?: ParseXmlOptions): Element {
  const maxDepth = options?.maxDepth ?? DEFAULT_MAX_DEPTH;
  const maxAttributes = options?.maxAttributes ?? DEFAULT_MAX_ATTRIBUTES;
  if (!(maxDepth >= 1)) throw new RangeError(`maxDepth must be at least 1, got ${maxDepth}`);
  if (!(maxAttributes >= 0)) throw new RangeError(`maxAttributes must be at least 0, got ${maxAttributes}`);
  return new Parser(text, maxDepth, maxAttributes).run();
}

// ---------------------------------------------------------------------------
// ElementPath: the path language of find/findall/findtext, ported from
// Python 3.11's xml/etree/ElementPath.py. Selectors work on arrays instead of
// generators, and nothing recurses.

type Token = readonly [op: string, tag: string];
type Selector = (context: SelectorContext, result: Element[]) => Element[];

class SelectorContext {
  private parentMap: Map<Element, Element> | null = null;
  constructor(readonly root: Element) {}

  parents(): Map<Element, Element> {
    if (this.parentMap === null) {
      const map = new Map<Element, Element>();
      for (const p of this.root.iter()) for (const e of p.children) map.set(e, p);
      this.parentMap = map;
    }
    return this.parentMap;
  }
}

const TOKEN_RE = /('[^']*'|"[^"]*"|::|\/\/?|\.\.|\(\)|!=|[/.*:[\]()@=])|((?:\{[^}]+\})?[^/[\]()@!=\s]+)|\s+/y;

function tokenize(path: string, namespaces: XmlNamespaces | undefined): Token[] {
  const defaultNs = namespaces?.[""];
  const tokens: Token[] = [];
  let parsingAttribute = false;
  TOKEN_RE.lastIndex = 0;
  while (TOKEN_RE.lastIndex < path.length) {
    const m = TOKEN_RE.exec(path);
    if (m === null) throw new SyntaxError(`invalid path ${JSON.stringify(path)}`);
    const op = m[1] ?? "";
    const tag = m[2] ?? "";
    if (tag !== "" && tag[0] !== "{") {
      const colon = tag.indexOf(":");
      if (colon !== -1) {
        const prefix = tag.slice(0, colon);
        const uri = namespaces !== undefined && Object.hasOwn(namespaces, prefix) ? namespaces[prefix] : undefined;
        if (uri === undefined) throw new SyntaxError(`prefix '${prefix}' not found in prefix map`);
        tokens.push([op, `{${uri}}${tag.slice(colon + 1)}`]);
      } else if (defaultNs && !parsingAttribute) {
        tokens.push([op, `{${defaultNs}}${tag}`]);
      } else {
        tokens.push([op, tag]);
      }
      parsingAttribute = false;
    } else {
      tokens.push([op, tag]);
      parsingAttribute = op === "@";
    }
  }
  return tokens;
}

function isWildcardTag(tag: string): boolean {
  return tag.startsWith("{*}") || tag.endsWith("}*");
}

/** The test for a `{*}name`, `{ns}*`, `{}*` or `{*}*` tag. */
function wildcardMatcher(tag: string): (t: string) => boolean {
  if (tag === "{*}*") return () => true;
  if (tag === "{}*") return (t) => t[0] !== "{";
  if (tag.startsWith("{*}")) {
    const local = tag.slice(3);
    const suffix = tag.slice(2); // "}name"
    return (t) => t === local || t.endsWith(suffix);
  }
  const ns = tag.slice(0, -1); // "{uri}"
  return (t) => t.startsWith(ns);
}

function childrenOf(result: readonly Element[]): Element[] {
  const out: Element[] = [];
  for (const el of result) for (const e of el.children) out.push(e);
  return out;
}

/** Descendants of each element of `result` (not the element itself), document order. */
function descendantsOf(result: readonly Element[], match: ((t: string) => boolean) | null): Element[] {
  const out: Element[] = [];
  const stack: Element[] = [];
  for (const el of result) {
    for (let i = el.children.length - 1; i >= 0; i--) stack.push(el.children[i] as Element);
    let e: Element | undefined;
    while ((e = stack.pop()) !== undefined) {
      if (match === null || match(e.tag)) out.push(e);
      const kids = e.children;
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i] as Element);
    }
  }
  return out;
}

function itertext(el: Element): string {
  let out = "";
  const stack: (Element | string)[] = [el];
  let item: Element | string | undefined;
  while ((item = stack.pop()) !== undefined) {
    if (typeof item === "string") {
      out += item;
      continue;
    }
    if (item.text !== null) out += item.text;
    const kids = item.children;
    for (let i = kids.length - 1; i >= 0; i--) {
      const kid = kids[i] as Element;
      if (kid.tail !== null) stack.push(kid.tail);
      stack.push(kid);
    }
  }
  return out;
}

type Next = () => Token | undefined;

function prepareChild(_next: Next, token: Token): Selector {
  let tag = token[1];
  if (isWildcardTag(tag)) {
    const match = wildcardMatcher(tag);
    return (_ctx, result) => childrenOf(result).filter((e) => match(e.tag));
  }
  if (tag.startsWith("{}")) tag = tag.slice(2);
  return (_ctx, result) => {
    const out: Element[] = [];
    for (const el of result) for (const e of el.children) if (e.tag === tag) out.push(e);
    return out;
  };
}

function prepareDescendant(next: Next): Selector {
  const token = next();
  if (token === undefined) throw new SyntaxError("invalid path");
  let tag: string;
  if (token[0] === "*") tag = "*";
  else if (token[0] === "") tag = token[1];
  else throw new SyntaxError("invalid descendant");
  if (tag === "*") return (_ctx, result) => descendantsOf(result, null);
  if (isWildcardTag(tag)) {
    const match = wildcardMatcher(tag);
    return (_ctx, result) => descendantsOf(result, match);
  }
  if (tag.startsWith("{}")) tag = tag.slice(2);
  const wanted = tag;
  return (_ctx, result) => descendantsOf(result, (t) => t === wanted);
}

function prepareParent(): Selector {
  return (ctx, result) => {
    const parents = ctx.parents();
    const seen = new Set<Element>();
    const out: Element[] = [];
    for (const el of result) {
      const parent = parents.get(el);
      if (parent !== undefined && !seen.has(parent)) {
        seen.add(parent);
        out.push(parent);
      }
    }
    return out;
  };
}

function preparePredicate(next: Next): Selector {
  let signature = "";
  const predicate: string[] = [];
  for (;;) {
    let token = next();
    if (token === undefined) throw new SyntaxError("invalid predicate: missing ]");
    if (token[0] === "]") break;
    if (token[0] === "" && token[1] === "") continue; // whitespace
    if (token[0] !== "" && (token[0][0] === "'" || token[0][0] === '"')) token = ["'", token[0].slice(1, -1)];
    signature += token[0] || "-";
    predicate.push(token[1]);
  }
  const isIndex = (s: string | undefined): boolean => /^-?\d+$/.test(s ?? "");
  const p0 = predicate[0] ?? "";
  const last = predicate[predicate.length - 1] ?? "";

  if (signature === "@-") {
    const key = predicate[1] ?? "";
    return (_ctx, result) => result.filter((e) => e.get(key) !== null);
  }
  if (signature === "@-='" || signature === "@-!='") {
    const key = predicate[1] ?? "";
    if (signature === "@-='") return (_ctx, result) => result.filter((e) => e.get(key) === last);
    return (_ctx, result) =>
      result.filter((e) => {
        const v = e.get(key);
        return v !== null && v !== last;
      });
  }
  if (signature === "-" && !isIndex(p0)) {
    return (_ctx, result) => result.filter((e) => e.find(p0) !== null);
  }
  if (signature === ".='" || signature === ".!='" || ((signature === "-='" || signature === "-!='") && !isIndex(p0))) {
    const negate = signature.includes("!=");
    if (signature[0] === "-") {
      return (_ctx, result) =>
        result.filter((e) => e.findall(p0).some((c) => (itertext(c) === last) !== negate));
    }
    return (_ctx, result) => result.filter((e) => (itertext(e) === last) !== negate);
  }
  if (signature === "-" || signature === "-()" || signature === "-()-") {
    let index: number;
    if (signature === "-") {
      index = Number.parseInt(p0, 10) - 1;
      if (index < 0) throw new SyntaxError("XPath position >= 1 expected");
    } else {
      if (p0 !== "last") throw new SyntaxError("unsupported function");
      if (signature === "-()-") {
        const offset = predicate[2] ?? "";
        if (!isIndex(offset)) throw new SyntaxError("unsupported expression");
        index = Number.parseInt(offset, 10) - 1;
        if (index > -2) throw new SyntaxError("XPath offset from last() must be negative");
      } else {
        index = -1;
      }
    }
    return (ctx, result) => {
      const parents = ctx.parents();
      return result.filter((e) => {
        const parent = parents.get(e);
        if (parent === undefined) return false;
        const same = parent.children.filter((c) => c.tag === e.tag);
        return same.at(index) === e;
      });
    };
  }
  throw new SyntaxError("invalid predicate");
}

const compiled = new Map<string, readonly Selector[]>();

function compile(path: string, namespaces: XmlNamespaces | undefined): readonly Selector[] {
  if (path === "") return [() => []]; // as ElementTree: an empty path finds nothing
  if (path.endsWith("/")) path += "*"; // implicit all, as in ElementTree
  let key = path;
  if (namespaces !== undefined) {
    const entries = Object.entries(namespaces).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (entries.length > 0) key += `\0${JSON.stringify(entries)}`;
  }
  const cached = compiled.get(key);
  if (cached !== undefined) return cached;
  if (compiled.size > 100) compiled.clear();
  if (path.startsWith("/")) throw new SyntaxError("cannot use absolute path on element");
  const tokens = tokenize(path, namespaces);
  let i = 0;
  const next: Next = () => tokens[i++];
  const selectors: Selector[] = [];
  let token = next();
  while (token !== undefined) {
    switch (token[0]) {
      case "":
        selectors.push(prepareChild(next, token));
        break;
      case "*":
        selectors.push((_ctx, result) => childrenOf(result));
        break;
      case ".":
        selectors.push((_ctx, result) => result);
        break;
      case "..":
        selectors.push(prepareParent());
        break;
      case "//":
        selectors.push(prepareDescendant(next));
        break;
      case "[":
        selectors.push(preparePredicate(next));
        break;
      default:
        throw new SyntaxError(`unsupported path ${JSON.stringify(path)} (at ${JSON.stringify(token[0])})`);
    }
    token = next();
    if (token !== undefined && token[0] === "/") {
      token = next();
      if (token === undefined) throw new SyntaxError("invalid path");
    }
  }
  compiled.set(key, selectors);
  return selectors;
}

/** Runs `path` from `el`; `first` lets a plain child tag stop at its first match. */
function select(el: Element, path: string, namespaces: XmlNamespaces | undefined, first: boolean): Element[] {
  // Fast path for the overwhelmingly common `find("Tag")` / `findall("{ns}Tag")`.
  if (namespaces === undefined && SIMPLE_TAG.test(path)) {
    const out: Element[] = [];
    for (const child of el.children) {
      if (child.tag === path) {
        out.push(child);
        if (first) break;
      }
    }
    return out;
  }
  let result: Element[] = [el];
  const context = new SelectorContext(el);
  for (const selector of compile(path, namespaces)) {
    result = selector(context, result);
    if (result.length === 0) break;
  }
  return result;
}

const SIMPLE_TAG = /^(?:\{[^}*]+\})?[^/[\]()@!=\s{}*.:'"]+$/;

// ---------------------------------------------------------------------------
// Serialiser

const TEXT_ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };
const ATTR_ESCAPES: Readonly<Record<string, string>> = {
  ...TEXT_ESCAPES,
  '"': "&quot;",
  "\n": "&#10;",
  "\r": "&#13;",
  "\t": "&#09;",
};

function escapeText(s: string): string {
  return /[&<>]/.test(s) ? s.replace(/[&<>]/g, (c) => TEXT_ESCAPES[c] ?? c) : s;
}

function escapeAttr(s: string): string {
  return /[&<>"\n\r\t]/.test(s) ? s.replace(/[&<>"\n\r\t]/g, (c) => ATTR_ESCAPES[c] ?? c) : s;
}

function isBlank(s: string | null): boolean {
  return s === null || s.trim() === "";
}

/**
 * Re-emits `el` and its descendants as XML (Python's `ET.tostring(el,
 * encoding="unicode")`, without `el`'s own tail): namespaced names get `ns0`,
 * `ns1`… prefixes declared on the top element, text and attributes are
 * escaped. With `pretty`, whitespace-only text is re-indented by 2 spaces per
 * level as `ET.indent` does. Iterative, so any depth is fine.
 */
export function serializeXml(el: Element, opts?: SerializeXmlOptions): string {
  const pretty = opts?.pretty === true;
  const prefixes = new Map<string, string>([[XML_NS, "xml"]]);
  const declarations: string[] = [];
  const qname = (name: string): string => {
    if (name[0] !== "{") return name;
    const close = name.indexOf("}");
    const uri = name.slice(1, close);
    const local = name.slice(close + 1);
    if (uri === "") return local;
    let prefix = prefixes.get(uri);
    if (prefix === undefined) {
      prefix = `ns${prefixes.size - 1}`;
      prefixes.set(uri, prefix);
      declarations.push(` xmlns:${prefix}="${escapeAttr(uri)}"`);
    }
    return `${prefix}:${local}`;
  };
  const indent = (level: number): string => `\n${"  ".repeat(level)}`;

  // Build the body first: the namespace declarations it discovers go on the top element.
  const out: string[] = [];
  // A frame is an open element; `tailLevel` is its parent's level (-1 for the top, whose tail is not emitted).
  type Frame = { el: Element; level: number; next: number; name: string; tailLevel: number; isLast: boolean };
  const stack: Frame[] = [];
  const tail = (child: Element, parentLevel: number, isLast: boolean): void => {
    if (parentLevel < 0) return;
    if (pretty && isBlank(child.tail)) out.push(indent(isLast ? parentLevel : parentLevel + 1));
    else if (child.tail !== null) out.push(escapeText(child.tail));
  };
  const open = (e: Element, level: number, tailLevel: number, isLast: boolean): void => {
    const name = qname(e.tag);
    let tag = `<${name}`;
    for (const key of Object.keys(e.attrib)) tag += ` ${qname(key)}="${escapeAttr(e.attrib[key] ?? "")}"`;
    const text = pretty && e.children.length > 0 && isBlank(e.text) ? indent(level + 1) : e.text;
    if (e.children.length === 0 && (text === null || text === "")) {
      out.push(`${tag} />`);
      tail(e, tailLevel, isLast);
      return;
    }
    out.push(`${tag}>`);
    if (text !== null) out.push(escapeText(text));
    stack.push({ el: e, level, next: 0, name, tailLevel, isLast });
  };

  open(el, 0, -1, true);
  const topStartIndex = 0;
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    const kids = frame.el.children;
    if (frame.next < kids.length) {
      const child = kids[frame.next++] as Element;
      open(child, frame.level + 1, frame.level, frame.next === kids.length);
      continue;
    }
    out.push(`</${frame.name}>`);
    stack.pop();
    tail(frame.el, frame.tailLevel, frame.isLast);
  }
  if (declarations.length > 0) {
    const top = out[topStartIndex] as string;
    const cut = top.endsWith(" />") ? top.length - 3 : top.length - 1;
    out[topStartIndex] = top.slice(0, cut) + declarations.join("") + top.slice(cut);
  }
  return out.join("");
}
