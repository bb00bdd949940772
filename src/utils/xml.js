// Port of Python's xml.etree.ElementTree as libcloud uses it (ET.XML, find/findall/findtext).
//
// The parser is a small iterative tokenizer written for this module, not a
// library: of the candidates measured in bench/xml-parsers.ts (fast-xml-parser,
// saxes, txml, @xmldom/xmldom) none was both well-formedness-strict and within
// Python's ElementTree time on a 1,000-entry listing. docs/xml-parser-choice.md
// has the numbers. Nothing here recurses, so deep documents fail with
// XmlParseError instead of a stack overflow, and every scan is linear.
import { LibcloudError } from "../common/types.js";
/**
 * A malformed XML document: what Python's `xml.etree.ElementTree.ParseError`
 * reports. `line` is 1-based and `column` 0-based, as expat counts them (after
 * line-end normalisation and without a leading BOM).
 */
export class XmlParseError extends LibcloudError {
    /** The class name, `"XmlParseError"` (also shown by `toString()`). */
    name = "XmlParseError";
    /** 1-based line of the offending character. */
    line;
    /** 0-based column of the offending character. */
    column;
    constructor(message, line, column) {
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
    tag;
    /** Attributes by (resolved) name; a null-prototype object. */
    attrib;
    /** Character data before the first child, or null when there is none. */
    text = null;
    /** Character data after the end tag, up to the next sibling, or null. */
    tail = null;
    /** Child elements in document order. */
    children = [];
    /**
     * @param tag - `local` or `{uri}local`
     * @param attrib - initial attributes; copied
     */
    constructor(tag, attrib) {
        this.tag = tag;
        this.attrib = Object.create(null);
        if (attrib !== undefined)
            Object.assign(this.attrib, attrib);
    }
    /** Number of children (Python's `len(elem)`). */
    get length() {
        return this.children.length;
    }
    /** Iterates over the children (Python's `for child in elem`). */
    [Symbol.iterator]() {
        return this.children.values();
    }
    get(key, defaultValue = null) {
        const value = this.attrib[key];
        return value === undefined ? defaultValue : value;
    }
    /**
     * This element and its descendants in document order whose tag is `tag`
     * (all of them for `"*"` or no tag). Iterative, so any depth is fine.
     */
    *iter(tag) {
        const wanted = tag === undefined || tag === "*" ? null : tag;
        const stack = [this];
        let el;
        while ((el = stack.pop()) !== undefined) {
            if (wanted === null || el.tag === wanted)
                yield el;
            const kids = el.children;
            for (let i = kids.length - 1; i >= 0; i--)
                stack.push(kids[i]);
        }
    }
    /** The first element matching the ElementTree `path`, or null. */
    find(path, namespaces) {
        return select(this, path, namespaces, true)[0] ?? null;
    }
    /** Every element matching the ElementTree `path`, in document order. */
    findall(path, namespaces) {
        return select(this, path, namespaces, false);
    }
    findtext(path, defaultValue, namespaces) {
        const found = select(this, path, namespaces, true)[0];
        if (found === undefined)
            return defaultValue ?? null;
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
function isNameStartNonAscii(c) {
    return ((c >= 0xc0 && c <= 0xd6) ||
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
        (c >= 0xfdf0 && c <= 0xfffd));
}
function isNameCharNonAscii(c) {
    return (isNameStartNonAscii(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || (c >= 0x203f && c <= 0x2040));
}
function isWs(c) {
    return c === SPACE || c === LF || c === TAB || c === CR;
}
function isXmlChar(c) {
    return (c === TAB ||
        c === LF ||
        c === CR ||
        (c >= 0x20 && c <= 0xd7ff) ||
        (c >= 0xe000 && c <= 0xfffd) ||
        (c >= 0x10000 && c <= 0x10ffff));
}
const WS_RUN = /[ \t\n\r]*/y;
// Characters XML 1.0 forbids anywhere in a document (the checks expat makes).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
const PREDEFINED = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
const hasIsWellFormed = typeof String.prototype.isWellFormed === "function";
function isWellFormedUtf16(s) {
    if (hasIsWellFormed)
        return s.isWellFormed();
    return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}
class Parser {
    s;
    pos = 0;
    maxDepth;
    maxAttributes;
    hasAmp;
    hasCdataEnd;
    /** Offset of the first colon of the name scanName last read, or -1. */
    colon = -1;
    root = null;
    /** The open element whose content is being read (null outside the root). */
    cur = null;
    /** The child of `cur` closed last: character data now goes to its tail. */
    lastClosed = null;
    elStack = [];
    rawStack = [];
    declStack = [];
    /** Prefix ("" for the default namespace) → stack of URIs in scope ("" = no namespace). */
    bindings = new Map([["xml", [XML_NS]]]);
    // A small direct-mapped cache of element names: raw qualified name → resolved tag.
    // Matching with startsWith avoids slicing and hashing the name of every tag;
    // an entry is valid only for the namespace bindings (`generation`) it was made with.
    nameRaw = new Array(256).fill(undefined);
    nameTag = new Array(256).fill("");
    nameGen = new Array(256).fill(-1);
    generation = 0;
    /** Raw name of the element resolveElement last resolved. */
    raw = "";
    constructor(text, maxDepth, maxAttributes) {
        let s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
        // XML 1.0 §2.11: line ends are normalised before parsing, so &#13; alone survives.
        if (s.indexOf("\r") !== -1)
            s = s.replace(/\r\n?/g, "\n");
        this.s = s;
        this.maxDepth = maxDepth;
        this.maxAttributes = maxAttributes;
        const bad = s.search(FORBIDDEN_CHAR);
        if (bad !== -1)
            this.fail("not well-formed (invalid character)", bad);
        if (!isWellFormedUtf16(s))
            this.fail("not well-formed (lone surrogate)", 0);
        this.hasAmp = s.indexOf("&") !== -1;
        this.hasCdataEnd = s.indexOf("]]>") !== -1;
    }
    run() {
        this.prolog();
        this.content();
        this.epilog();
        return this.root;
    }
    fail(message, at = this.pos) {
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
    scanName(pos) {
        const s = this.s;
        let c = s.charCodeAt(pos);
        if (c < 128 ? NAME_START[c] !== 1 || c === COLON : !isNameStartNonAscii(c)) {
            this.fail("not well-formed (invalid token)", pos);
        }
        const start = pos;
        let colon = -1;
        for (pos++;; pos++) {
            c = s.charCodeAt(pos);
            if (c < 128) {
                if (NAME_CHAR[c] !== 1)
                    break;
                if (c === COLON) {
                    if (colon !== -1)
                        this.fail("not well-formed (invalid token)", pos);
                    colon = pos;
                }
            }
            else if (!isNameCharNonAscii(c)) {
                break; // also NaN at the end of input
            }
        }
        if (colon === pos - 1 || colon === start)
            this.fail("not well-formed (invalid token)", colon);
        this.colon = colon;
        return pos;
    }
    skipWs(pos) {
        const s = this.s;
        if (!isWs(s.charCodeAt(pos)))
            return pos;
        if (!isWs(s.charCodeAt(pos + 1)))
            return pos + 1;
        // A long run: the regex engine scans it several times faster than a charCodeAt loop.
        WS_RUN.lastIndex = pos + 2;
        WS_RUN.test(s);
        return WS_RUN.lastIndex;
    }
    /** Decodes entity and character references in `v`, which starts at offset `base`. */
    decode(v, base) {
        let out = "";
        let last = 0;
        for (let amp = v.indexOf("&"); amp !== -1; amp = v.indexOf("&", last)) {
            const semi = v.indexOf(";", amp + 1);
            if (semi === -1)
                this.fail("not well-formed (invalid token)", base + amp);
            out += v.slice(last, amp);
            const name = v.slice(amp + 1, semi);
            if (name.charCodeAt(0) === 35 /* # */) {
                out += this.charRef(name, base + amp);
            }
            else {
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
    charRef(name, at) {
        const hex = name.charCodeAt(1) === 120; /* x */
        let i = hex ? 2 : 1;
        if (i === name.length)
            this.fail("not well-formed (invalid token)", at);
        let code = 0;
        for (; i < name.length; i++) {
            const c = name.charCodeAt(i);
            let d;
            if (c >= 48 && c <= 57)
                d = c - 48;
            else if (hex && c >= 97 && c <= 102)
                d = c - 87;
            else if (hex && c >= 65 && c <= 70)
                d = c - 55;
            else
                return this.fail("not well-formed (invalid token)", at);
            code = code * (hex ? 16 : 10) + d;
            // Stop early so a long run of digits can't overflow into a valid-looking number.
            if (code > 0x10ffff)
                this.fail("reference to invalid character number", at);
        }
        if (!isXmlChar(code))
            this.fail("reference to invalid character number", at);
        return String.fromCodePoint(code);
    }
    appendText(seg) {
        const lc = this.lastClosed;
        if (lc !== null) {
            lc.tail = lc.tail === null ? seg : lc.tail + seg;
        }
        else {
            const cur = this.cur;
            cur.text = cur.text === null ? seg : cur.text + seg;
        }
    }
    /** XML declaration, comments, PIs, whitespace and an optional DOCTYPE; stops at the root's `<`. */
    prolog() {
        const s = this.s;
        if (s.startsWith("<?xml", 0) && !(NAME_CHAR[s.charCodeAt(5)] === 1 || s.charCodeAt(5) >= 128)) {
            this.xmlDecl();
        }
        let sawDoctype = false;
        for (;;) {
            const pos = this.skipWs(this.pos);
            this.pos = pos;
            if (pos >= s.length)
                this.fail("no element found", pos);
            if (s.charCodeAt(pos) !== LT)
                this.fail("not well-formed (invalid token)", pos);
            const c = s.charCodeAt(pos + 1);
            if (c === BANG) {
                if (s.startsWith("<!--", pos))
                    this.comment();
                else if (!sawDoctype && s.startsWith("<!DOCTYPE", pos)) {
                    this.doctype();
                    sawDoctype = true;
                }
                else
                    this.fail("syntax error", pos);
            }
            else if (c === QMARK) {
                this.pi();
            }
            else {
                return;
            }
        }
    }
    /** `<?xml version="1.x" encoding="…" standalone="yes|no"?>`; the encoding is only checked for form. */
    xmlDecl() {
        const s = this.s;
        let pos = 5;
        let next = 0; // 0: version expected, 1: encoding or standalone, 2: standalone, 3: nothing more
        for (;;) {
            const afterWs = this.skipWs(pos);
            if (s.startsWith("?>", afterWs)) {
                pos = afterWs + 2;
                break;
            }
            if (afterWs === pos)
                this.fail("XML declaration not well-formed", pos);
            pos = afterWs;
            let end = pos;
            while (NAME_START[s.charCodeAt(end)] === 1)
                end++;
            const name = s.slice(pos, end);
            pos = this.skipWs(end);
            if (s.charCodeAt(pos) !== EQ)
                this.fail("XML declaration not well-formed", pos);
            pos = this.skipWs(pos + 1);
            const q = s.charCodeAt(pos);
            if (q !== QUOT && q !== APOS)
                this.fail("XML declaration not well-formed", pos);
            const close = s.indexOf(q === QUOT ? '"' : "'", pos + 1);
            if (close === -1)
                this.fail("XML declaration not well-formed", s.length);
            const value = s.slice(pos + 1, close);
            let ok;
            if (name === "version" && next === 0) {
                ok = /^[\w.:-]*$/.test(value); // as lax as expat: "2.0" and "" pass
                next = 1;
            }
            else if (name === "encoding" && next === 1) {
                ok = /^[A-Za-z][A-Za-z0-9._-]*$/.test(value);
                next = 2;
            }
            else if (name === "standalone" && (next === 1 || next === 2)) {
                ok = value === "yes" || value === "no";
                next = 3;
            }
            else {
                ok = false;
            }
            if (!ok)
                this.fail("XML declaration not well-formed", pos);
            pos = close + 1;
        }
        if (next === 0)
            this.fail("XML declaration not well-formed", pos);
        this.pos = pos;
    }
    /**
     * `<!DOCTYPE name ExternalID?>`. The external DTD is never fetched (as in
     * ElementTree). An internal subset `[...]` is rejected outright: that is
     * where entities (billion laughs, external entities) and attribute defaults
     * are declared, and no cloud API sends one.
     */
    doctype() {
        const s = this.s;
        let pos = this.pos + 9;
        if (!isWs(s.charCodeAt(pos)))
            this.fail("syntax error", pos);
        pos = this.scanName(this.skipWs(pos));
        let afterWs = this.skipWs(pos);
        if (afterWs > pos && (s.startsWith("SYSTEM", afterWs) || s.startsWith("PUBLIC", afterWs))) {
            const literals = s.charCodeAt(afterWs) === 80 /* P */ ? 2 : 1;
            pos = afterWs + 6;
            for (let i = 0; i < literals; i++) {
                if (!isWs(s.charCodeAt(pos)))
                    this.fail("syntax error", pos);
                pos = this.skipWs(pos);
                const q = s.charCodeAt(pos);
                if (q !== QUOT && q !== APOS)
                    this.fail("syntax error", pos);
                const close = s.indexOf(q === QUOT ? '"' : "'", pos + 1);
                if (close === -1)
                    this.fail("syntax error", s.length);
                pos = close + 1;
            }
            afterWs = this.skipWs(pos);
        }
        pos = afterWs;
        const c = s.charCodeAt(pos);
        if (c === 91 /* [ */) {
            this.fail("DOCTYPE internal subset not allowed (entity declarations are never processed)", pos);
        }
        if (c !== GT)
            this.fail("syntax error", pos);
        this.pos = pos + 1;
    }
    comment() {
        const s = this.s;
        const end = s.indexOf("--", this.pos + 4);
        if (end === -1)
            this.fail("unclosed token", s.length);
        if (s.charCodeAt(end + 2) !== GT)
            this.fail("not well-formed (invalid token)", end);
        this.pos = end + 3;
    }
    pi() {
        const s = this.s;
        const start = this.pos + 2;
        let pos = this.scanName(start);
        const target = s.slice(start, pos);
        if (target === "xml")
            this.fail("XML or text declaration not at start of entity", this.pos);
        if (target.toLowerCase() === "xml" || this.colon !== -1)
            this.fail("not well-formed (invalid token)", start);
        if (!s.startsWith("?>", pos)) {
            if (!isWs(s.charCodeAt(pos)))
                this.fail("not well-formed (invalid token)", pos);
            pos = s.indexOf("?>", pos);
            if (pos === -1)
                this.fail("unclosed token", s.length);
        }
        this.pos = pos + 2;
    }
    cdata() {
        const s = this.s;
        const start = this.pos + 9;
        const end = s.indexOf("]]>", start);
        if (end === -1)
            this.fail("unclosed CDATA section", s.length);
        if (end > start)
            this.appendText(s.slice(start, end));
        this.pos = end + 3;
    }
    /** The root element and everything in it, iteratively. */
    content() {
        const s = this.s;
        this.startTag();
        while (this.cur !== null) {
            const pos = this.pos;
            const lt = s.indexOf("<", pos);
            if (lt === -1)
                this.fail("no element found", s.length);
            if (lt > pos) {
                let seg = s.slice(pos, lt);
                if (this.hasCdataEnd && seg.indexOf("]]>") !== -1) {
                    this.fail("not well-formed (invalid token)", pos + seg.indexOf("]]>"));
                }
                if (this.hasAmp && seg.indexOf("&") !== -1)
                    seg = this.decode(seg, pos);
                this.appendText(seg);
            }
            this.pos = lt;
            const c = s.charCodeAt(lt + 1);
            if (c === SLASH)
                this.endTag();
            else if (c === BANG) {
                if (s.startsWith("<!--", lt))
                    this.comment();
                else if (s.startsWith("<![CDATA[", lt))
                    this.cdata();
                else
                    this.fail("not well-formed (invalid token)", lt);
            }
            else if (c === QMARK)
                this.pi();
            else
                this.startTag();
        }
    }
    epilog() {
        const s = this.s;
        for (;;) {
            const pos = this.skipWs(this.pos);
            this.pos = pos;
            if (pos >= s.length)
                return;
            if (s.startsWith("<!--", pos))
                this.comment();
            else if (s.startsWith("<?", pos))
                this.pi();
            else
                this.fail("junk after document element", pos);
        }
    }
    startTag() {
        const s = this.s;
        const nameStart = this.pos + 1;
        let pos = this.scanName(nameStart);
        const nameEnd = pos;
        const colon = this.colon;
        const el = new Element("");
        const attrib = el.attrib;
        let declared = null;
        let prefixed = null; // name, value, name, value …
        let selfClosing = false;
        let attributes = 0;
        for (;;) {
            let c = s.charCodeAt(pos);
            if (c === GT) {
                pos++;
                break;
            }
            if (c === SLASH) {
                if (s.charCodeAt(pos + 1) !== GT)
                    this.fail("not well-formed (invalid token)", pos);
                pos += 2;
                selfClosing = true;
                break;
            }
            if (!isWs(c))
                this.fail("not well-formed (invalid token)", pos);
            pos = this.skipWs(pos + 1);
            c = s.charCodeAt(pos);
            if (c === GT || c === SLASH)
                continue;
            const attrStart = pos;
            if (++attributes > this.maxAttributes) {
                this.fail(`more than maxAttributes (${this.maxAttributes}) attributes on one element`, attrStart);
            }
            pos = this.scanName(pos);
            const attrColon = this.colon;
            const name = s.slice(attrStart, pos);
            pos = this.skipWs(pos);
            if (s.charCodeAt(pos) !== EQ)
                this.fail("not well-formed (invalid token)", pos);
            pos = this.skipWs(pos + 1);
            const q = s.charCodeAt(pos);
            if (q !== QUOT && q !== APOS)
                this.fail("not well-formed (invalid token)", pos);
            const close = s.indexOf(q === QUOT ? '"' : "'", pos + 1);
            if (close === -1)
                this.fail("unclosed token", s.length);
            const value = close === pos + 1 ? "" : this.attrValue(s.slice(pos + 1, close), pos + 1);
            pos = close + 1;
            if (attrColon === -1 ? name === "xmlns" : attrColon - attrStart === 5 && name.startsWith("xmlns")) {
                declared = this.declare(attrColon === -1 ? "" : name.slice(6), value, declared, attrStart);
            }
            else if (attrColon === -1 && prefixed === null) {
                if (attrib[name] !== undefined)
                    this.fail("duplicate attribute", attrStart);
                attrib[name] = value;
            }
            else {
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
                const name = prefixed[i];
                const colonAt = name.indexOf(":");
                const key = colonAt === -1 ? name : this.resolveAttribute(name, colonAt, nameStart);
                if (attrib[key] !== undefined)
                    this.fail("duplicate attribute", nameStart);
                attrib[key] = prefixed[i + 1];
            }
        }
        const parent = this.cur;
        if (parent === null)
            this.root = el;
        else
            parent.children.push(el);
        if (selfClosing) {
            if (declared !== null)
                this.undeclare(declared);
            this.lastClosed = el;
        }
        else {
            this.elStack.push(el);
            this.rawStack.push(raw);
            this.declStack.push(declared);
            this.cur = el;
            this.lastClosed = null;
        }
        this.pos = pos;
    }
    endTag() {
        const s = this.s;
        let pos = this.pos + 2;
        const raw = this.rawStack[this.rawStack.length - 1];
        if (!s.startsWith(raw, pos))
            this.fail("mismatched tag", pos);
        pos = this.skipWs(pos + raw.length);
        if (s.charCodeAt(pos) !== GT)
            this.fail("mismatched tag", pos);
        this.pos = pos + 1;
        const el = this.elStack.pop();
        this.rawStack.pop();
        const declared = this.declStack.pop();
        if (declared)
            this.undeclare(declared);
        this.lastClosed = el;
        this.cur = this.elStack[this.elStack.length - 1] ?? null;
    }
    /** Attribute-value normalisation (XML 1.0 §3.3.3) then reference decoding. */
    attrValue(v, base) {
        if (v.indexOf("<") !== -1)
            this.fail("not well-formed (invalid token)", base + v.indexOf("<"));
        if (v.indexOf("\n") !== -1 || v.indexOf("\t") !== -1)
            v = v.replace(/[\n\t]/g, " ");
        if (this.hasAmp && v.indexOf("&") !== -1)
            v = this.decode(v, base);
        return v;
    }
    declare(prefix, uri, declared, at) {
        if (prefix === "xmlns")
            this.fail("reserved prefix (xmlns) must not be declared or undeclared", at);
        if ((prefix === "xml") !== (uri === XML_NS)) {
            this.fail("reserved prefix (xml) must not be undeclared or bound to another namespace name", at);
        }
        if (uri === XMLNS_NS)
            this.fail("reserved namespace name must not be declared", at);
        if (prefix !== "" && uri === "")
            this.fail("must not undeclare prefix", at);
        if (declared !== null && declared.includes(prefix))
            this.fail("duplicate attribute", at);
        let stack = this.bindings.get(prefix);
        if (stack === undefined)
            this.bindings.set(prefix, (stack = []));
        stack.push(uri);
        this.generation++;
        if (declared === null)
            return [prefix];
        declared.push(prefix);
        return declared;
    }
    undeclare(declared) {
        for (const prefix of declared)
            this.bindings.get(prefix)?.pop();
        this.generation++;
    }
    /** The element name at [start, end) (first colon at `colon`, or -1) → `local` or `{uri}local`; sets `this.raw`. */
    resolveElement(start, end, colon) {
        const s = this.s;
        const len = end - start;
        const slot = (len * 31 + s.charCodeAt(start) * 7 + s.charCodeAt(end - 1)) & 255;
        const cached = this.nameRaw[slot];
        if (cached !== undefined && cached.length === len && this.nameGen[slot] === this.generation && s.startsWith(cached, start)) {
            this.raw = cached;
            return this.nameTag[slot];
        }
        const raw = s.slice(start, end);
        let tag;
        if (colon === -1) {
            const uri = this.bindings.get("")?.at(-1);
            tag = uri ? `{${uri}}${raw}` : raw;
        }
        else {
            const uri = this.bindings.get(raw.slice(0, colon - start))?.at(-1);
            if (uri === undefined)
                this.fail("unbound prefix", start);
            tag = `{${uri}}${raw.slice(colon - start + 1)}`;
        }
        this.nameRaw[slot] = raw;
        this.nameTag[slot] = tag;
        this.nameGen[slot] = this.generation;
        this.raw = raw;
        return tag;
    }
    /** A prefixed attribute name → `{uri}local` (unprefixed attributes are in no namespace). */
    resolveAttribute(name, colon, at) {
        const uri = this.bindings.get(name.slice(0, colon))?.at(-1);
        if (uri === undefined)
            this.fail("unbound prefix", at);
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
export function parseXml(text, options) {
    const maxDepth = options?.maxDepth ?? DEFAULT_MAX_DEPTH;
    const maxAttributes = options?.maxAttributes ?? DEFAULT_MAX_ATTRIBUTES;
    if (!(maxDepth >= 1))
        throw new RangeError(`maxDepth must be at least 1, got ${maxDepth}`);
    if (!(maxAttributes >= 0))
        throw new RangeError(`maxAttributes must be at least 0, got ${maxAttributes}`);
    return new Parser(text, maxDepth, maxAttributes).run();
}
class SelectorContext {
    root;
    parentMap = null;
    constructor(root) {
        this.root = root;
    }
    parents() {
        if (this.parentMap === null) {
            const map = new Map();
            for (const p of this.root.iter())
                for (const e of p.children)
                    map.set(e, p);
            this.parentMap = map;
        }
        return this.parentMap;
    }
}
const TOKEN_RE = /('[^']*'|"[^"]*"|::|\/\/?|\.\.|\(\)|!=|[/.*:[\]()@=])|((?:\{[^}]+\})?[^/[\]()@!=\s]+)|\s+/y;
function tokenize(path, namespaces) {
    const defaultNs = namespaces?.[""];
    const tokens = [];
    let parsingAttribute = false;
    TOKEN_RE.lastIndex = 0;
    while (TOKEN_RE.lastIndex < path.length) {
        const m = TOKEN_RE.exec(path);
        if (m === null)
            throw new SyntaxError(`invalid path ${JSON.stringify(path)}`);
        const op = m[1] ?? "";
        const tag = m[2] ?? "";
        if (tag !== "" && tag[0] !== "{") {
            const colon = tag.indexOf(":");
            if (colon !== -1) {
                const prefix = tag.slice(0, colon);
                const uri = namespaces !== undefined && Object.hasOwn(namespaces, prefix) ? namespaces[prefix] : undefined;
                if (uri === undefined)
                    throw new SyntaxError(`prefix '${prefix}' not found in prefix map`);
                tokens.push([op, `{${uri}}${tag.slice(colon + 1)}`]);
            }
            else if (defaultNs && !parsingAttribute) {
                tokens.push([op, `{${defaultNs}}${tag}`]);
            }
            else {
                tokens.push([op, tag]);
            }
            parsingAttribute = false;
        }
        else {
            tokens.push([op, tag]);
            parsingAttribute = op === "@";
        }
    }
    return tokens;
}
function isWildcardTag(tag) {
    return tag.startsWith("{*}") || tag.endsWith("}*");
}
/** The test for a `{*}name`, `{ns}*`, `{}*` or `{*}*` tag. */
function wildcardMatcher(tag) {
    if (tag === "{*}*")
        return () => true;
    if (tag === "{}*")
        return (t) => t[0] !== "{";
    if (tag.startsWith("{*}")) {
        const local = tag.slice(3);
        const suffix = tag.slice(2); // "}name"
        return (t) => t === local || t.endsWith(suffix);
    }
    const ns = tag.slice(0, -1); // "{uri}"
    return (t) => t.startsWith(ns);
}
function childrenOf(result) {
    const out = [];
    for (const el of result)
        for (const e of el.children)
            out.push(e);
    return out;
}
/** Descendants of each element of `result` (not the element itself), document order. */
function descendantsOf(result, match) {
    const out = [];
    const stack = [];
    for (const el of result) {
        for (let i = el.children.length - 1; i >= 0; i--)
            stack.push(el.children[i]);
        let e;
        while ((e = stack.pop()) !== undefined) {
            if (match === null || match(e.tag))
                out.push(e);
            const kids = e.children;
            for (let i = kids.length - 1; i >= 0; i--)
                stack.push(kids[i]);
        }
    }
    return out;
}
function itertext(el) {
    let out = "";
    const stack = [el];
    let item;
    while ((item = stack.pop()) !== undefined) {
        if (typeof item === "string") {
            out += item;
            continue;
        }
        if (item.text !== null)
            out += item.text;
        const kids = item.children;
        for (let i = kids.length - 1; i >= 0; i--) {
            const kid = kids[i];
            if (kid.tail !== null)
                stack.push(kid.tail);
            stack.push(kid);
        }
    }
    return out;
}
function prepareChild(_next, token) {
    let tag = token[1];
    if (isWildcardTag(tag)) {
        const match = wildcardMatcher(tag);
        return (_ctx, result) => childrenOf(result).filter((e) => match(e.tag));
    }
    if (tag.startsWith("{}"))
        tag = tag.slice(2);
    return (_ctx, result) => {
        const out = [];
        for (const el of result)
            for (const e of el.children)
                if (e.tag === tag)
                    out.push(e);
        return out;
    };
}
function prepareDescendant(next) {
    const token = next();
    if (token === undefined)
        throw new SyntaxError("invalid path");
    let tag;
    if (token[0] === "*")
        tag = "*";
    else if (token[0] === "")
        tag = token[1];
    else
        throw new SyntaxError("invalid descendant");
    if (tag === "*")
        return (_ctx, result) => descendantsOf(result, null);
    if (isWildcardTag(tag)) {
        const match = wildcardMatcher(tag);
        return (_ctx, result) => descendantsOf(result, match);
    }
    if (tag.startsWith("{}"))
        tag = tag.slice(2);
    const wanted = tag;
    return (_ctx, result) => descendantsOf(result, (t) => t === wanted);
}
function prepareParent() {
    return (ctx, result) => {
        const parents = ctx.parents();
        const seen = new Set();
        const out = [];
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
function preparePredicate(next) {
    let signature = "";
    const predicate = [];
    for (;;) {
        let token = next();
        if (token === undefined)
            throw new SyntaxError("invalid predicate: missing ]");
        if (token[0] === "]")
            break;
        if (token[0] === "" && token[1] === "")
            continue; // whitespace
        if (token[0] !== "" && (token[0][0] === "'" || token[0][0] === '"'))
            token = ["'", token[0].slice(1, -1)];
        signature += token[0] || "-";
        predicate.push(token[1]);
    }
    const isIndex = (s) => /^-?\d+$/.test(s ?? "");
    const p0 = predicate[0] ?? "";
    const last = predicate[predicate.length - 1] ?? "";
    if (signature === "@-") {
        const key = predicate[1] ?? "";
        return (_ctx, result) => result.filter((e) => e.get(key) !== null);
    }
    if (signature === "@-='" || signature === "@-!='") {
        const key = predicate[1] ?? "";
        if (signature === "@-='")
            return (_ctx, result) => result.filter((e) => e.get(key) === last);
        return (_ctx, result) => result.filter((e) => {
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
            return (_ctx, result) => result.filter((e) => e.findall(p0).some((c) => (itertext(c) === last) !== negate));
        }
        return (_ctx, result) => result.filter((e) => (itertext(e) === last) !== negate);
    }
    if (signature === "-" || signature === "-()" || signature === "-()-") {
        let index;
        if (signature === "-") {
            index = Number.parseInt(p0, 10) - 1;
            if (index < 0)
                throw new SyntaxError("XPath position >= 1 expected");
        }
        else {
            if (p0 !== "last")
                throw new SyntaxError("unsupported function");
            if (signature === "-()-") {
                const offset = predicate[2] ?? "";
                if (!isIndex(offset))
                    throw new SyntaxError("unsupported expression");
                index = Number.parseInt(offset, 10) - 1;
                if (index > -2)
                    throw new SyntaxError("XPath offset from last() must be negative");
            }
            else {
                index = -1;
            }
        }
        return (ctx, result) => {
            const parents = ctx.parents();
            return result.filter((e) => {
                const parent = parents.get(e);
                if (parent === undefined)
                    return false;
                const same = parent.children.filter((c) => c.tag === e.tag);
                return same.at(index) === e;
            });
        };
    }
    throw new SyntaxError("invalid predicate");
}
const compiled = new Map();
function compile(path, namespaces) {
    if (path === "")
        return [() => []]; // as ElementTree: an empty path finds nothing
    if (path.endsWith("/"))
        path += "*"; // implicit all, as in ElementTree
    let key = path;
    if (namespaces !== undefined) {
        const entries = Object.entries(namespaces).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        if (entries.length > 0)
            key += `\0${JSON.stringify(entries)}`;
    }
    const cached = compiled.get(key);
    if (cached !== undefined)
        return cached;
    if (compiled.size > 100)
        compiled.clear();
    if (path.startsWith("/"))
        throw new SyntaxError("cannot use absolute path on element");
    const tokens = tokenize(path, namespaces);
    let i = 0;
    const next = () => tokens[i++];
    const selectors = [];
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
            if (token === undefined)
                throw new SyntaxError("invalid path");
        }
    }
    compiled.set(key, selectors);
    return selectors;
}
/** Runs `path` from `el`; `first` lets a plain child tag stop at its first match. */
function select(el, path, namespaces, first) {
    // Fast path for the overwhelmingly common `find("Tag")` / `findall("{ns}Tag")`.
    if (namespaces === undefined && SIMPLE_TAG.test(path)) {
        const out = [];
        for (const child of el.children) {
            if (child.tag === path) {
                out.push(child);
                if (first)
                    break;
            }
        }
        return out;
    }
    let result = [el];
    const context = new SelectorContext(el);
    for (const selector of compile(path, namespaces)) {
        result = selector(context, result);
        if (result.length === 0)
            break;
    }
    return result;
}
const SIMPLE_TAG = /^(?:\{[^}*]+\})?[^/[\]()@!=\s{}*.:'"]+$/;
// ---------------------------------------------------------------------------
// Serialiser
const TEXT_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };
const ATTR_ESCAPES = {
    ...TEXT_ESCAPES,
    '"': "&quot;",
    "\n": "&#10;",
    "\r": "&#13;",
    "\t": "&#09;",
};
function escapeText(s) {
    return /[&<>]/.test(s) ? s.replace(/[&<>]/g, (c) => TEXT_ESCAPES[c] ?? c) : s;
}
function escapeAttr(s) {
    return /[&<>"\n\r\t]/.test(s) ? s.replace(/[&<>"\n\r\t]/g, (c) => ATTR_ESCAPES[c] ?? c) : s;
}
function isBlank(s) {
    return s === null || s.trim() === "";
}
/**
 * Re-emits `el` and its descendants as XML (Python's `ET.tostring(el,
 * encoding="unicode")`, without `el`'s own tail): namespaced names get `ns0`,
 * `ns1`… prefixes declared on the top element, text and attributes are
 * escaped. With `pretty`, whitespace-only text is re-indented by 2 spaces per
 * level as `ET.indent` does. Iterative, so any depth is fine.
 */
export function serializeXml(el, opts) {
    const pretty = opts?.pretty === true;
    const prefixes = new Map([[XML_NS, "xml"]]);
    const declarations = [];
    const qname = (name) => {
        if (name[0] !== "{")
            return name;
        const close = name.indexOf("}");
        const uri = name.slice(1, close);
        const local = name.slice(close + 1);
        if (uri === "")
            return local;
        let prefix = prefixes.get(uri);
        if (prefix === undefined) {
            prefix = `ns${prefixes.size - 1}`;
            prefixes.set(uri, prefix);
            declarations.push(` xmlns:${prefix}="${escapeAttr(uri)}"`);
        }
        return `${prefix}:${local}`;
    };
    const indent = (level) => `\n${"  ".repeat(level)}`;
    // Build the body first: the namespace declarations it discovers go on the top element.
    const out = [];
    const stack = [];
    const tail = (child, parentLevel, isLast) => {
        if (parentLevel < 0)
            return;
        if (pretty && isBlank(child.tail))
            out.push(indent(isLast ? parentLevel : parentLevel + 1));
        else if (child.tail !== null)
            out.push(escapeText(child.tail));
    };
    const open = (e, level, tailLevel, isLast) => {
        const name = qname(e.tag);
        let tag = `<${name}`;
        for (const key of Object.keys(e.attrib))
            tag += ` ${qname(key)}="${escapeAttr(e.attrib[key] ?? "")}"`;
        const text = pretty && e.children.length > 0 && isBlank(e.text) ? indent(level + 1) : e.text;
        if (e.children.length === 0 && (text === null || text === "")) {
            out.push(`${tag} />`);
            tail(e, tailLevel, isLast);
            return;
        }
        out.push(`${tag}>`);
        if (text !== null)
            out.push(escapeText(text));
        stack.push({ el: e, level, next: 0, name, tailLevel, isLast });
    };
    open(el, 0, -1, true);
    const topStartIndex = 0;
    while (stack.length > 0) {
        const frame = stack[stack.length - 1];
        const kids = frame.el.children;
        if (frame.next < kids.length) {
            const child = kids[frame.next++];
            open(child, frame.level + 1, frame.level, frame.next === kids.length);
            continue;
        }
        out.push(`</${frame.name}>`);
        stack.pop();
        tail(frame.el, frame.tailLevel, frame.isLast);
    }
    if (declarations.length > 0) {
        const top = out[topStartIndex];
        const cut = top.endsWith(" />") ? top.length - 3 : top.length - 1;
        out[topStartIndex] = top.slice(0, cut) + declarations.join("") + top.slice(cut);
    }
    return out.join("");
}
