// The fuzz comparison the README states: src/utils/xml.ts against Python's ElementTree (ET.XML, on
// expat) on 9,000 generated documents — 3,000 random well-formed ones and 6,000 mutations of them
// (characters deleted, inserted, swapped; truncation; a second root; bad references). One python3
// process reads the whole batch as JSON lines and answers, per document, "rejected" or the tree as
// [tag, sorted attributes, text, tail, number of children] for every element of root.iter().
// Accept/reject and tree shape must agree on every document.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { parseXml } from "../../src/utils/xml.js";

const PYTHON = "/usr/bin/python3";
const SCRIPT = String.raw`
import json, sys
import xml.etree.ElementTree as ET
out = []
for line in sys.stdin:
    doc = json.loads(line)
    try:
        root = ET.XML(doc)
    except Exception:
        out.append(None)
        continue
    out.append([[e.tag, sorted(e.attrib.items()), e.text, e.tail, len(e)] for e in root.iter()])
sys.stdout.write(json.dumps(out))
`;

type Shape = Array<[string, Array<[string, string]>, string | null, string | null, number]> | null;

/** A small deterministic PRNG (mulberry32), so a failure names a reproducible document. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ["a", "b", "Key", "Size", "x-y", "n.1", "_u", "Contents", "ns:el", "p:q", "éléments"];
const TEXTS = ["", "hello", " spaced  out ", "a &amp; b", "&lt;tag&gt;", "&#65;&#x42;", "&#x1F600;", "quote &quot; &apos;", "tab\there", "line\nbreak", "ünï", "]]", "x > y"];

function generate(rand: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const parts: string[] = [];
  if (rand() < 0.3) parts.push('<?xml version="1.0" encoding="UTF-8"?>');
  if (rand() < 0.2) parts.push("<!-- leading comment -->");
  const depthMax = 1 + Math.floor(rand() * 5);
  const element = (depth: number, inNs: boolean): void => {
    let name = pick(NAMES);
    const decls: string[] = [];
    if (name.includes(":")) {
      const prefix = name.split(":")[0]!;
      if (!inNs || rand() < 0.5) decls.push(` xmlns:${prefix}="urn:${prefix}"`);
    }
    if (rand() < 0.15) decls.push(' xmlns="http://example.com/default"');
    const attrs: string[] = [];
    const n = Math.floor(rand() * 3);
    const used = new Set<string>();
    for (let i = 0; i < n; i++) {
      const attr = pick(["id", "k", "x:y", "data-v", "xml:lang"]);
      if (used.has(attr)) continue;
      used.add(attr);
      if (attr === "x:y") decls.push(' xmlns:x="urn:x"');
      attrs.push(` ${attr}=${rand() < 0.5 ? `"${pick(TEXTS).replace(/"/g, "&quot;").replace(/</g, "&lt;")}"` : `'v${i}'`}`);
    }
    if (name === "éléments" && rand() < 0.5) name = "e";
    const open = `<${name}${[...new Set(decls)].join("")}${attrs.join("")}`;
    if (rand() < 0.2) {
      parts.push(`${open}/>`);
      return;
    }
    parts.push(`${open}>`);
    const children = depth >= depthMax ? 0 : Math.floor(rand() * 4);
    if (rand() < 0.7) parts.push(pick(TEXTS).replace(/\]\]$/, "]]").replace(/x > y/, "x &gt; y"));
    for (let i = 0; i < children; i++) {
      const r = rand();
      if (r < 0.08) parts.push("<![CDATA[raw <b> & stuff]]>");
      else if (r < 0.14) parts.push("<!-- c -->");
      else if (r < 0.18) parts.push("<?pi data?>");
      element(depth + 1, inNs || decls.length > 0);
      if (rand() < 0.5) parts.push(pick(TEXTS));
    }
    parts.push(`</${name}>`);
  };
  element(0, false);
  if (rand() < 0.2) parts.push("\n");
  return parts.join("");
}

const NOISE = ["<", ">", "&", "/", "\"", "'", "=", ";", "]]>", "<!--", "&#0;", "&#x110000;", "&bogus;", "\u0001", "<a>", "</a>", "xmlns:z=\"\"", " ", "\uFFFE", "<?xml version=\"1.0\"?>", "<!DOCTYPE r>"];

function mutate(doc: string, rand: () => number): string {
  const at = Math.floor(rand() * (doc.length + 1));
  switch (Math.floor(rand() * 6)) {
    case 0: return doc.slice(0, at) + doc.slice(at + 1 + Math.floor(rand() * 3));
    case 1: return doc.slice(0, at) + NOISE[Math.floor(rand() * NOISE.length)]! + doc.slice(at);
    case 2: return doc.slice(0, at);
    case 3: return `${doc}<second/>`;
    case 4: {
      const b = Math.floor(rand() * doc.length);
      const chars = [...doc];
      [chars[at % chars.length], chars[b]] = [chars[b]!, chars[at % chars.length]!];
      return chars.join("");
    }
    default: return doc.replace(/&amp;|&lt;|&#65;/, NOISE[Math.floor(rand() * NOISE.length)]!);
  }
}

function shapeOf(doc: string): Shape {
  let root;
  try {
    root = parseXml(doc);
  } catch {
    return null;
  }
  const out: NonNullable<Shape> = [];
  for (const e of root.iter()) {
    const attrib = Object.entries(e.attrib).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    out.push([e.tag, attrib, e.text, e.tail, e.children.length]);
  }
  return out;
}

function runPython(docs: readonly string[]): Promise<Shape[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ["-c", SCRIPT], { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`python3 exited ${code}: ${Buffer.concat(err).toString().slice(0, 2000)}`));
      else resolve(JSON.parse(Buffer.concat(out).toString()) as Shape[]);
    });
    child.stdin.end(docs.map((d) => JSON.stringify(d)).join("\n") + "\n");
  });
}

test("XML fuzz: 9,000 generated and mutated documents, parseXml and Python's ET.XML agree on accept/reject and tree shape", { timeout: 60_000, skip: existsSync(PYTHON) ? false : `${PYTHON} not found` }, async () => {
  const rand = prng(20261201);
  const valid = Array.from({ length: 3000 }, () => generate(rand));
  const mutated = Array.from({ length: 6000 }, (_, i) => mutate(valid[i % valid.length]!, rand));
  const docs = [...valid, ...mutated];
  const python = await runPython(docs);
  assert.equal(python.length, docs.length);
  const differences: string[] = [];
  let accepted = 0;
  for (let i = 0; i < docs.length; i++) {
    const ours = shapeOf(docs[i]!);
    if (python[i] !== null) accepted++;
    if (JSON.stringify(ours) !== JSON.stringify(python[i])) {
      differences.push(`#${i} ${JSON.stringify(docs[i]).slice(0, 300)}\n  ours:   ${JSON.stringify(ours)?.slice(0, 300)}\n  python: ${JSON.stringify(python[i])?.slice(0, 300)}`);
    }
  }
  assert.ok(accepted > 3000 && accepted < docs.length - 1000, `the batch mixes accepted (${accepted}) and rejected documents`);
  assert.equal(differences.length, 0, `${differences.length} of ${docs.length} documents differ:\n${differences.slice(0, 8).join("\n")}`);
});
