// The layering rules of docs/ARCHITECTURE.md, over every import in src/ (static, re-export and
// dynamic import(), which eslint's no-restricted-imports does not see).
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const src = join(root, "src");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? sources(path) : e.name.endsWith(".ts") ? [path] : [];
  });
}

/** Each relative import of a file, as a path under src/ ("common/base/settings.ts"). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8").replace(/^\s*(\/\/.*|\/?\*.*)$/gm, "");
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["'](\.[^"']+)["']/gm)].map((m) => m[1]!);
  return specifiers.map((s) => relative(src, resolve(dirname(file), s)).split(sep).join("/").replace(/\.js$/, ".ts"));
}

const rules: Array<{ name: string; from: (path: string) => boolean; to: (target: string) => boolean }> = [
  { name: "the transport (src/http) imports nothing from the base", from: (p) => p.startsWith("http/"), to: (t) => t.startsWith("common/base/") },
  { name: "utilities (src/utils) import nothing from the base", from: (p) => p.startsWith("utils/"), to: (t) => t.startsWith("common/base/") },
  { name: "production code never imports the test kit (src/test)", from: (p) => !p.startsWith("test/"), to: (t) => t.startsWith("test/") },
];

for (const rule of rules) {
  test(`layering: ${rule.name}`, () => {
    const files = sources(src);
    assert.ok(files.length > 20, `found ${files.length} source files under ${src}`);
    const broken: string[] = [];
    for (const file of files) {
      const path = relative(src, file).split(sep).join("/");
      if (!rule.from(path)) continue;
      for (const target of importsOf(file)) if (rule.to(target)) broken.push(`src/${path} imports src/${target}`);
    }
    assert.deepEqual(broken, []);
  });
}
