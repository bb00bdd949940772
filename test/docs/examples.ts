// Extracts the TypeScript examples of a Markdown document, for test/docs/docs-examples.test.ts.
//
// A fenced block (``` or ~~~, three or more, any indentation, CRLF or LF) whose info string starts
// with ts, typescript, mts or tsx is an example. An HTML comment on the nearest non-blank line above
// the fence tells the test what to do with it, `;`-separated:
//
//   <!-- example: name=proof-driver.ts; run=test -->
//
//   name=<file>.ts      the file it is written to, so that other examples can import it
//   run=node | run=test run it after compiling (node, or node --test) against the loopback harness
//   expect=<text>       with run=node: its standard output must contain <text>
//   with=<repo path>    copy this repository file or folder beside it (imports of src/ are rewritten
//                       to the package's own names)
//   excerpt=<repo path> an excerpt of a file the build compiles: not compiled itself, but every line
//                       must appear in that file, in order (`…` marks what was left out)
//   skip=<reason>       neither compiled nor run; the reason is printed
//
// Without a comment an example is compiled on its own, strictly, against the built package.

/** One example found in a document. */
export interface Example {
  /** The document, as given. */
  readonly doc: string;
  /** 1-based line of the first line of code (after the fence). */
  readonly line: number;
  readonly code: string;
  readonly name: string | undefined;
  readonly run: "node" | "test" | undefined;
  readonly expect: string | undefined;
  readonly with: readonly string[];
  readonly excerpt: string | undefined;
  readonly skip: string | undefined;
}

const TS_INFO = /^(ts|typescript|mts|tsx)(\s|$|\{)/i;
const DIRECTIVE = /^\s*<!--\s*example:\s*(.*?)\s*-->\s*$/;
const KEYS = new Set(["name", "run", "expect", "with", "excerpt", "skip"]);

/** Thrown for a directive the extractor does not understand (a typo must not silently skip checks). */
export class ExampleDirectiveError extends Error {}

function parseDirective(text: string, where: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of text.split(";").map((p) => p.trim()).filter((p) => p !== "")) {
    const eq = part.indexOf("=");
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    const value = eq < 0 ? "" : part.slice(eq + 1).trim();
    if (!KEYS.has(key)) throw new ExampleDirectiveError(`${where}: unknown example directive "${key}" (known: ${[...KEYS].join(", ")})`);
    (out[key] ??= []).push(value);
  }
  const run = out["run"]?.[0];
  if (run !== undefined && run !== "node" && run !== "test") throw new ExampleDirectiveError(`${where}: run must be node or test, got "${run}"`);
  if (out["skip"] !== undefined && out["skip"][0] === "") throw new ExampleDirectiveError(`${where}: skip needs a reason (skip=<reason>)`);
  const name = out["name"]?.[0];
  if (name !== undefined && !/^[\w.-]+\.(ts|mts)$/.test(name)) throw new ExampleDirectiveError(`${where}: name must be a plain .ts file name, got "${name}"`);
  return out;
}

/** The examples of one Markdown document, in order. */
export function extractExamples(markdown: string, doc: string): Example[] {
  const lines = markdown.split(/\r?\n/);
  const examples: Example[] = [];
  let i = 0;
  while (i < lines.length) {
    const open = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(lines[i]!);
    if (open === null) {
      i += 1;
      continue;
    }
    const [, indent = "", fence = "", info = ""] = open;
    const start = i;
    const body: string[] = [];
    i += 1;
    // The block ends at a fence of the same character, at least as long, with nothing after it.
    const close = new RegExp(`^\\s*${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`);
    while (i < lines.length && !close.test(lines[i]!)) {
      const line = lines[i]!;
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
      i += 1;
    }
    i += 1;
    if (!TS_INFO.test(info.trim())) continue;
    let above = start - 1;
    while (above >= 0 && lines[above]!.trim() === "") above -= 1;
    const where = `${doc}:${start + 1}`;
    const directive = above >= 0 ? DIRECTIVE.exec(lines[above]!) : null;
    const d = directive === null ? {} : parseDirective(directive[1]!, where);
    examples.push({
      doc,
      line: start + 2,
      code: `${body.join("\n")}\n`,
      name: d["name"]?.[0],
      run: d["run"]?.[0] as "node" | "test" | undefined,
      expect: d["expect"]?.[0],
      with: d["with"] ?? [],
      excerpt: d["excerpt"]?.[0],
      skip: d["skip"]?.[0],
    });
  }
  return examples;
}

/**
 * Whether `excerpt` is an excerpt of `source`: every non-blank line, trimmed, appears in the source
 * in order; a line holding `…` stands for text left out and only its text around the `…` is
 * matched; a `//` comment line is commentary. Returns the first line that does not match, or undefined.
 */
export function missingExcerptLine(excerpt: string, source: string): string | undefined {
  const have = source.split(/\r?\n/).map((l) => l.trim());
  let at = 0;
  for (const raw of excerpt.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line === "…" || line.startsWith("//")) continue;
    const parts = line.split("…").map((p) => p.replace(/\/\*\s*$|^\s*\*\//g, "").trim()).filter((p) => p !== "");
    const found = have.findIndex((l, k) => k >= at && parts.every((p) => l.includes(p)));
    if (found < 0) return raw;
    at = found + 1;
  }
  return undefined;
}
