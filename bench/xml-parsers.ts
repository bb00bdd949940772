// Benchmark and safety check behind src/utils/xml.ts's choice of XML parser (docs/xml-parser-choice.md).
//
// Measures, in one process, the raw parse time of each candidate library and
// the time to build our ElementTree-style `Element` tree through it, on a
// 1,000-entry blob listing, next to Python's ElementTree on the same string;
// then runs every candidate through the safety / well-formedness cases of
// docs/RELIABILITY.md J5–J10 (each in a worker thread, killed after 10 s). Prints
// markdown tables.
//
// Each measurement is the median of 101 runs after 30 warm-up runs; the whole
// set is repeated in 3 alternating rounds (Python, then every candidate) and
// the best round is kept, so that other load on a shared machine disturbs the
// comparison as little as possible. Wall-clock and process CPU time are both
// shown; the ratio to Python uses CPU time, which other processes don't inflate.
//
// The candidates are not dependencies: install them for a run with
//   npm i --no-save fast-xml-parser@5.12.1 saxes@6.0.0 txml@6.0.3 @xmldom/xmldom@0.9.12
// then `npx tsc -p tsconfig.json && node dist/bench/xml-parsers.js`.
// A candidate that is not installed is reported as such.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { Element, parseXml } from "../src/utils/xml.js";
import { makeBlobListingXml } from "./fixtures.js";

const ENTRIES = 1000;
const WARMUP = 30;
const RUNS = 101;
const ROUNDS = 3;
const CASE_TIMEOUT_MS = 10_000;
const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

interface Candidate {
  name: string;
  version: string;
  /** The library's own parse, output discarded. */
  raw: (xml: string) => unknown;
  /** Library parse + conversion into our Element tree. */
  build: (xml: string) => Element;
}

interface Timing {
  wall: number;
  cpu: number;
}

/** Median wall-clock and median process CPU time (ms) of `fn`. */
function measure(fn: () => unknown, runs = RUNS, warmup = WARMUP): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const mid = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  return { wall: mid(wall), cpu: mid(cpu) };
}

function best(a: Timing | undefined, b: Timing): Timing {
  return a === undefined ? b : { wall: Math.min(a.wall, b.wall), cpu: Math.min(a.cpu, b.cpu) };
}

async function load(pkg: string): Promise<Record<string, unknown> | null> {
  try {
    // A variable specifier keeps tsc from needing the (uninstalled) package's types.
    const specifier: string = pkg;
    return (await import(specifier)) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function versionOf(pkg: string): string {
  try {
    const text = readFileSync(join(process.cwd(), "node_modules", pkg, "package.json"), "utf8");
    return (JSON.parse(text) as { version: string }).version;
  } catch {
    return "?";
  }
}

// --- Namespace resolution for the libraries that don't do it (txml, fast-xml-parser) ---

class NsScope {
  private readonly stack: Map<string, string>[] = [new Map([["xml", "http://www.w3.org/XML/1998/namespace"]])];
  push(attrs: Record<string, string>): boolean {
    let map: Map<string, string> | null = null;
    for (const key in attrs) {
      if (key === "xmlns" || key.startsWith("xmlns:")) {
        map ??= new Map(this.stack[this.stack.length - 1]);
        map.set(key === "xmlns" ? "" : key.slice(6), attrs[key] ?? "");
      }
    }
    if (map !== null) this.stack.push(map);
    return map !== null;
  }
  pop(): void {
    this.stack.pop();
  }
  resolve(qname: string, isAttr: boolean): string {
    const colon = qname.indexOf(":");
    const top = this.stack[this.stack.length - 1] as Map<string, string>;
    if (colon === -1) {
      const uri = isAttr ? "" : (top.get("") ?? "");
      return uri ? `{${uri}}${qname}` : qname;
    }
    const uri = top.get(qname.slice(0, colon));
    if (uri === undefined) throw new Error(`unbound prefix in ${qname}`);
    return `{${uri}}${qname.slice(colon + 1)}`;
  }
}

function addText(parent: Element, lastChild: Element | null, text: string): void {
  if (lastChild !== null) lastChild.tail = (lastChild.tail ?? "") + text;
  else parent.text = (parent.text ?? "") + text;
}

class Frame<N> {
  i = 0;
  last: Element | null = null;
  constructor(
    readonly el: Element,
    readonly kids: readonly (N | string)[],
    readonly pushed: boolean,
  ) {}
}

/** Shared converter for trees of `{name, attrs, children: (node | string)[]}` (txml, fast-xml-parser). */
function convertGeneric<N>(
  root: N,
  view: (n: N) => { name: string; attrs: Record<string, string>; children: readonly (N | string)[] },
): Element {
  const scope = new NsScope();
  const open = (n: N): Frame<N> => {
    const v = view(n);
    const pushed = scope.push(v.attrs);
    const el = new Element(scope.resolve(v.name, false));
    for (const key in v.attrs) {
      if (key === "xmlns" || key.startsWith("xmlns:")) continue;
      el.attrib[scope.resolve(key, true)] = v.attrs[key] ?? "";
    }
    return new Frame(el, v.children, pushed);
  };
  const top = open(root);
  const stack: Frame<N>[] = [top];
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (f.i >= f.kids.length) {
      if (f.pushed) scope.pop();
      stack.pop();
      continue;
    }
    const kid = f.kids[f.i++]!;
    if (typeof kid === "string") {
      addText(f.el, f.last, kid);
      continue;
    }
    const child = open(kid);
    f.el.children.push(child.el);
    f.last = child.el;
    stack.push(child);
  }
  return top.el;
}

// --- Candidates ---

async function candidates(): Promise<(Candidate | { name: string; missing: true })[]> {
  const out: (Candidate | { name: string; missing: true })[] = [
    {
      name: "src/utils/xml.ts (own tokenizer)",
      version: "-",
      raw: (xml) => parseXml(xml),
      build: (xml) => parseXml(xml),
    },
  ];

  const txml = await load("txml");
  if (txml === null) out.push({ name: "txml", missing: true });
  else {
    type TNode = { tagName: string; attributes: Record<string, string | null>; children: (TNode | string)[] };
    const parse = txml["parse"] as (s: string, o: object) => (TNode | string)[];
    const opts = { keepWhitespace: true, decodeEntities: true };
    out.push({
      name: "txml",
      version: versionOf("txml"),
      raw: (xml) => parse(xml, opts),
      build: (xml) => {
        const nodes = parse(xml, opts);
        const root = nodes.find((n): n is TNode => typeof n !== "string" && !/^[?!]/.test(n.tagName));
        if (root === undefined) throw new Error("no element found");
        return convertGeneric(root, (n) => ({
          name: n.tagName,
          attrs: n.attributes as Record<string, string>,
          children: n.children,
        }));
      },
    });
  }

  const saxes = await load("saxes");
  if (saxes === null) out.push({ name: "saxes", missing: true });
  else {
    type Attr = { uri: string; local: string; value: string };
    type Tag = { uri: string; local: string; attributes: Record<string, Attr> };
    type Parser = {
      on(ev: string, fn: (x: never) => void): void;
      write(s: string): Parser;
      close(): Parser;
    };
    const SaxesParser = saxes["SaxesParser"] as new (o: object) => Parser;
    out.push({
      name: "saxes",
      version: versionOf("saxes"),
      raw: (xml) => new SaxesParser({ xmlns: true, position: false }).write(xml).close(),
      build: (xml) => {
        const p = new SaxesParser({ xmlns: true, position: false });
        let root: Element | null = null;
        const stack: Element[] = [];
        let last: Element | null = null;
        const onText = (t: string): void => {
          const cur = stack[stack.length - 1];
          if (cur !== undefined) addText(cur, last, t);
        };
        p.on("opentag", (tag: Tag) => {
          const el = new Element(tag.uri ? `{${tag.uri}}${tag.local}` : tag.local);
          for (const key in tag.attributes) {
            const a = tag.attributes[key]!;
            if (a.uri === XMLNS_NS) continue;
            el.attrib[a.uri ? `{${a.uri}}${a.local}` : a.local] = a.value;
          }
          const parent = stack[stack.length - 1];
          if (parent === undefined) root = el;
          else parent.children.push(el);
          stack.push(el);
          last = null;
        });
        p.on("closetag", () => {
          last = stack.pop() ?? null;
        });
        p.on("text", onText);
        p.on("cdata", onText);
        p.write(xml).close();
        if (root === null) throw new Error("no element found");
        return root;
      },
    });
    // saxes resolves namespaces in time proportional to the depth (quadratic on deep
    // documents), so also try it without, resolving them here, with a depth limit.
    type PlainTag = { name: string; attributes: Record<string, string> };
    out.push({
      name: "saxes (xmlns: false) + own namespaces",
      version: versionOf("saxes"),
      raw: (xml) => new SaxesParser({ position: false }).write(xml).close(),
      build: (xml) => {
        const p = new SaxesParser({ position: false });
        const scope = new NsScope();
        let root: Element | null = null;
        const stack: Element[] = [];
        const pushed: boolean[] = [];
        let last: Element | null = null;
        const onText = (t: string): void => {
          const cur = stack[stack.length - 1];
          if (cur !== undefined) addText(cur, last, t);
        };
        p.on("opentag", (tag: PlainTag) => {
          if (stack.length >= 10_000) throw new Error("too deep");
          pushed.push(scope.push(tag.attributes));
          const el = new Element(scope.resolve(tag.name, false));
          for (const key in tag.attributes) {
            if (key === "xmlns" || key.startsWith("xmlns:")) continue;
            el.attrib[scope.resolve(key, true)] = tag.attributes[key] ?? "";
          }
          const parent = stack[stack.length - 1];
          if (parent === undefined) root = el;
          else parent.children.push(el);
          stack.push(el);
          last = null;
        });
        p.on("closetag", () => {
          if (pushed.pop() === true) scope.pop();
          last = stack.pop() ?? null;
        });
        p.on("text", onText);
        p.on("cdata", onText);
        p.write(xml).close();
        if (root === null) throw new Error("no element found");
        return root;
      },
    });
  }

  const fxp = await load("fast-xml-parser");
  if (fxp === null) out.push({ name: "fast-xml-parser", missing: true });
  else {
    type ONode = Record<string, unknown>;
    const XMLParser = fxp["XMLParser"] as new (o: object) => { parse(s: string): ONode[] };
    const XMLValidator = fxp["XMLValidator"] as { validate(s: string): true | { err: { msg: string } } };
    const opts = {
      preserveOrder: true,
      ignoreAttributes: false,
      attributeNamePrefix: "",
      trimValues: false,
      parseTagValue: false,
      parseAttributeValue: false,
      ignoreDeclaration: true,
      ignorePiTags: true,
      maxNestedTags: 100_000,
    };
    const view = (n: ONode): { name: string; attrs: Record<string, string>; children: (ONode | string)[] } => {
      const name = Object.keys(n).find((k) => k !== ":@") ?? "";
      const kids = (n[name] as ONode[]).map((k) => ("#text" in k ? String(k["#text"]) : k));
      return { name, attrs: (n[":@"] as Record<string, string> | undefined) ?? {}, children: kids };
    };
    const build = (xml: string): Element => {
      const nodes = new XMLParser(opts).parse(xml);
      const root = nodes.find((n) => !("#text" in n) && !Object.keys(n)[0]?.startsWith("?"));
      if (root === undefined) throw new Error("no element found");
      return convertGeneric(root, view);
    };
    const version = versionOf("fast-xml-parser");
    out.push({ name: "fast-xml-parser", version, raw: (xml) => new XMLParser(opts).parse(xml), build });
    out.push({
      name: "fast-xml-parser + XMLValidator",
      version,
      raw: (xml) => {
        XMLValidator.validate(xml);
        return new XMLParser(opts).parse(xml);
      },
      build: (xml) => {
        const ok = XMLValidator.validate(xml);
        if (ok !== true) throw new Error(ok.err.msg);
        return build(xml);
      },
    });
  }

  const xmldom = await load("@xmldom/xmldom");
  if (xmldom === null) out.push({ name: "@xmldom/xmldom", missing: true });
  else {
    type DNode = {
      nodeType: number;
      namespaceURI: string | null;
      localName: string;
      nodeValue: string;
      childNodes: { length: number; item(i: number): DNode };
      attributes: { length: number; item(i: number): DNode };
      documentElement: DNode | null;
    };
    const DOMParser = xmldom["DOMParser"] as new (o: object) => { parseFromString(s: string, t: string): DNode };
    const strict = {
      onError: (level: string, msg: string) => {
        if (level !== "warning") throw new Error(msg);
      },
    };
    const toElement = (n: DNode): Element => {
      const el = new Element(n.namespaceURI ? `{${n.namespaceURI}}${n.localName}` : n.localName);
      for (let i = 0; i < n.attributes.length; i++) {
        const a = n.attributes.item(i);
        if (a.namespaceURI === XMLNS_NS) continue;
        el.attrib[a.namespaceURI ? `{${a.namespaceURI}}${a.localName}` : a.localName] = a.nodeValue;
      }
      return el;
    };
    out.push({
      name: "@xmldom/xmldom",
      version: versionOf("@xmldom/xmldom"),
      raw: (xml) => new DOMParser(strict).parseFromString(xml, "text/xml"),
      build: (xml) => {
        const doc = new DOMParser(strict).parseFromString(xml, "text/xml");
        const rootNode = doc.documentElement;
        if (rootNode === null) throw new Error("no element found");
        const root = toElement(rootNode);
        const stack: { n: DNode; el: Element; i: number; last: Element | null }[] = [
          { n: rootNode, el: root, i: 0, last: null },
        ];
        while (stack.length > 0) {
          const f = stack[stack.length - 1]!;
          if (f.i >= f.n.childNodes.length) {
            stack.pop();
            continue;
          }
          const kid = f.n.childNodes.item(f.i++);
          if (kid.nodeType === 3 || kid.nodeType === 4) addText(f.el, f.last, kid.nodeValue);
          else if (kid.nodeType === 1) {
            const el = toElement(kid);
            f.el.children.push(el);
            f.last = el;
            stack.push({ n: kid, el, i: 0, last: null });
          }
        }
        return root;
      },
    });
  }
  return out;
}

function pythonEt(file: string): Timing | null {
  // libcloud's XmlResponse does ET.XML(body) on the decoded str; time exactly that.
  const script = [
    "import sys, time, statistics, xml.etree.ElementTree as ET",
    "s = open(sys.argv[1], encoding='utf-8').read()",
    `for _ in range(${WARMUP}): ET.XML(s)`,
    "wall, cpu = [], []",
    `for _ in range(${RUNS}):`,
    "    c = time.process_time(); t = time.perf_counter(); ET.XML(s)",
    "    wall.append((time.perf_counter() - t) * 1000); cpu.append((time.process_time() - c) * 1000)",
    "print(statistics.median(wall), statistics.median(cpu))",
  ].join("\n");
  for (const exe of ["python3", "/usr/bin/python3"]) {
    try {
      const [wall, cpu] = execFileSync(exe, ["-c", script, file], { encoding: "utf8" }).trim().split(" ").map(Number);
      if (wall !== undefined && cpu !== undefined) return { wall, cpu };
    } catch {
      // try the next one
    }
  }
  return null;
}

// --- Safety / well-formedness cases (docs/RELIABILITY.md J5–J10) ---

interface Case {
  id: string;
  label: string;
  xml: () => string;
  /** Given a parsed tree, is the outcome acceptable (e.g. entity left unexpanded)? */
  acceptable?: (root: Element) => boolean;
  /** Must finish within this many ms. */
  budgetMs?: number;
}

function billionLaughs(): string {
  let dtd = '<!ENTITY lol0 "lol">';
  for (let i = 1; i <= 10; i++) dtd += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
  return `<?xml version="1.0"?><!DOCTYPE lolz [${dtd}]><lolz>&lol10;</lolz>`;
}

function textLength(root: Element): number {
  let n = 0;
  for (const e of root.iter()) n += (e.text?.length ?? 0) + (e.tail?.length ?? 0);
  return n;
}

const CASES: Case[] = [
  {
    id: "J5",
    label: "billion laughs",
    xml: billionLaughs,
    acceptable: (r) => textLength(r) < 1000,
    budgetMs: 100,
  },
  {
    id: "J6",
    label: "external entity (file:///etc/passwd)",
    xml: () => '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
    acceptable: (r) => !(r.text ?? "").includes("root:"),
  },
  {
    id: "J7",
    label: "DOCTYPE with 1 MB names",
    xml: () => `<!DOCTYPE ${"d".repeat(1 << 20)} [<!ENTITY ${"e".repeat(1 << 20)} "x">]><a/>`,
    acceptable: () => true,
    budgetMs: 100,
  },
  {
    id: "J7",
    label: "100k attributes",
    xml: () => {
      const parts: string[] = ["<a"];
      for (let i = 0; i < 100_000; i++) parts.push(` a${i}="v"`);
      parts.push("/>");
      return parts.join("");
    },
    acceptable: () => true,
    budgetMs: 100,
  },
  {
    id: "J7",
    label: "1 MB whitespace runs",
    xml: () => `<a${" ".repeat(1 << 20)}x="1"${" ".repeat(1 << 20)}>${" ".repeat(1 << 20)}</a${" ".repeat(1 << 20)}>`,
    acceptable: () => true,
    budgetMs: 100,
  },
  { id: "J8", label: "100,000 nested elements", xml: () => "<a>".repeat(100_000) + "</a>".repeat(100_000) },
  { id: "J9", label: "two root elements", xml: () => "<a/><b/>" },
  { id: "J9", label: "trailing garbage", xml: () => "<a/>junk" },
  { id: "J9", label: "truncated document", xml: () => "<a><b>x</b>" },
  { id: "J9", label: "mismatched tags", xml: () => "<a><b></a></b>" },
  { id: "J9", label: "unbound prefix", xml: () => "<p:a/>" },
  { id: "J10", label: "&#x110000; (beyond U+10FFFF)", xml: () => "<a>&#x110000;</a>" },
  { id: "J10", label: "undefined entity &foo;", xml: () => "<a>&foo;</a>" },
];

type Outcome = { ok: boolean; text: string };

/**
 * Runs one case. Its time is the smaller of wall-clock and process CPU time, as
 * in test/utils/xml.test.ts: on a loaded machine wall time includes waiting for
 * a core, and CPU time includes GC threads running alongside.
 */
function runCase(build: (xml: string) => Element, c: Case): Outcome {
  const xml = c.xml();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let outcome: Outcome;
  try {
    const root = build(xml);
    const fine = c.acceptable?.(root) ?? false;
    outcome = { ok: fine, text: fine ? "accepted, safe" : "**accepted**" };
  } catch (err) {
    if (err instanceof RangeError) return { ok: false, text: "**RangeError (stack)**" };
    outcome = { ok: true, text: "rejected" };
  }
  const cpu = process.cpuUsage(cpu0);
  const ms = Math.min(performance.now() - t0, (cpu.user + cpu.system) / 1000);
  if (c.budgetMs !== undefined) {
    if (ms > c.budgetMs) outcome = { ok: false, text: `${outcome.text}, **${ms.toFixed(0)} ms**` };
    else outcome.text += `, ${ms.toFixed(1)} ms`;
  }
  return outcome;
}

/** Runs one case in a worker so that a hang or a crash is reported, not inherited. */
function runCaseIsolated(candidate: string, caseIndex: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const worker = new Worker(new URL(import.meta.url), {
      workerData: { candidate, caseIndex },
      resourceLimits: { maxOldGenerationSizeMb: 1024 },
    });
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve({ ok: false, text: `**> ${CASE_TIMEOUT_MS / 1000} s, killed**` });
    }, CASE_TIMEOUT_MS);
    worker.once("message", (o: Outcome) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(o);
    });
    worker.once("error", (err) => {
      clearTimeout(timer);
      resolve({ ok: false, text: `**crashed: ${err.message.slice(0, 40)}**` });
    });
  });
}

async function main(): Promise<void> {
  const xml = makeBlobListingXml(ENTRIES);
  const all = await candidates();
  const present = all.filter((c): c is Candidate => !("missing" in c));

  const dir = mkdtempSync(join(tmpdir(), "xml-bench-"));
  const file = join(dir, "listing.xml");
  writeFileSync(file, xml);
  let py: Timing | undefined;
  let pyMissing = false;
  const raw = new Map<string, Timing>();
  const tree = new Map<string, Timing>();
  const failed = new Map<string, string>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const p = pythonEt(file);
      if (p === null) pyMissing = true;
      else py = best(py, p);
      for (const c of present) {
        if (failed.has(c.name)) continue;
        try {
          raw.set(c.name, best(raw.get(c.name), measure(() => c.raw(xml))));
          tree.set(c.name, best(tree.get(c.name), measure(() => c.build(xml))));
        } catch (err) {
          failed.set(c.name, (err as Error).message);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const ms = (t: Timing | undefined, k: keyof Timing): string => (t === undefined ? "" : t[k].toFixed(2));
  console.log(`## Parse of a ${ENTRIES}-entry listing (${(xml.length / 1000).toFixed(0)} KB)\n`);
  console.log(
    `Node ${process.version}. Median of ${RUNS} runs after ${WARMUP} warm-up, best of ${ROUNDS} alternating rounds. ` +
      "Ratio = tree CPU time / Python ET CPU time.\n",
  );
  console.log("| parser | version | raw parse, wall (ms) | → Element tree, wall (ms) | → Element tree, CPU (ms) | vs Python ET |");
  console.log("| --- | --- | ---: | ---: | ---: | ---: |");
  const pyVersion = pyMissing || py === undefined ? "not found" : "python3";
  console.log(`| Python xml.etree.ElementTree (ET.XML, expat) | ${pyVersion} | ${ms(py, "wall")} | ${ms(py, "wall")} | ${ms(py, "cpu")} | 1.00× |`);
  for (const c of all) {
    if ("missing" in c) {
      console.log(`| ${c.name} | not installed | | | | |`);
      continue;
    }
    const f = failed.get(c.name);
    if (f !== undefined) {
      console.log(`| ${c.name} | ${c.version} | failed: ${f} | | | |`);
      continue;
    }
    const t = tree.get(c.name);
    const ratio = py === undefined || t === undefined ? "n/a" : `${(t.cpu / py.cpu).toFixed(2)}×`;
    console.log(`| ${c.name} | ${c.version} | ${ms(raw.get(c.name), "wall")} | ${ms(t, "wall")} | ${ms(t, "cpu")} | ${ratio} |`);
  }

  // Sanity: every tree builder agrees with ours on the listing.
  const reference = JSON.stringify(dump(parseXml(xml)));
  for (const c of present) {
    if (!failed.has(c.name) && JSON.stringify(dump(c.build(xml))) !== reference) {
      console.log(`\n> note: ${c.name} builds a different tree from the listing`);
    }
  }

  console.log("\n## Safety and well-formedness (J5–J10), each candidate as used above\n");
  console.log(`| case | ${present.map((c) => c.name).join(" | ")} |`);
  console.log(`| --- | ${present.map(() => "---").join(" | ")} |`);
  const failures = new Map<string, number>(present.map((c) => [c.name, 0]));
  for (const [i, c] of CASES.entries()) {
    const cells: string[] = [];
    for (const cand of present) {
      const o = await runCaseIsolated(cand.name, i);
      if (!o.ok) failures.set(cand.name, (failures.get(cand.name) ?? 0) + 1);
      cells.push(o.text);
    }
    console.log(`| ${c.id} ${c.label} | ${cells.join(" | ")} |`);
  }
  console.log(`| **cases failed** | ${present.map((c) => `**${failures.get(c.name)}**`).join(" | ")} |`);
}

async function worker(): Promise<void> {
  const { candidate, caseIndex } = workerData as { candidate: string; caseIndex: number };
  const cand = (await candidates()).find((c): c is Candidate => c.name === candidate && !("missing" in c));
  const c = CASES[caseIndex];
  if (cand === undefined || c === undefined) throw new Error("bad worker data");
  parentPort?.postMessage(runCase(cand.build, c));
}

function dump(root: Element): unknown[] {
  const out: unknown[] = [];
  for (const e of root.iter()) out.push([e.tag, Object.entries(e.attrib), e.text, e.tail, e.children.length]);
  return out;
}

await (isMainThread ? main() : worker());
