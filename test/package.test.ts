// Port of nothing in libcloud: checks on what `npm pack` ships, so a rename or a build setting cannot
// quietly break the published package (its source maps, its sideEffects list, its licence files).
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { test } from "node:test";

const root = join(import.meta.dirname, "..", "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  files: string[]; sideEffects: string[] | boolean; engines: { node: string }; dependencies: Record<string, string>;
};
const shipped = (file: string): boolean => {
  const rel = relative(root, file);
  return pkg.files.some((entry) => rel === entry || rel.startsWith(`${entry}/`));
};

test("package: every source map and declaration map in dist/src points at a file that is shipped", { timeout: 10_000 }, () => {
  let maps = 0;
  for (const entry of readdirSync(join(root, "dist/src"), { recursive: true, encoding: "utf8" })) {
    if (!entry.endsWith(".map")) continue;
    const mapFile = join(root, "dist/src", entry);
    const map = JSON.parse(readFileSync(mapFile, "utf8")) as { sources: string[]; sourceRoot?: string };
    for (const source of map.sources) {
      const target = normalize(join(dirname(mapFile), map.sourceRoot ?? "", source));
      assert.ok(existsSync(target), `${entry}: ${source} does not exist`);
      assert.ok(shipped(target), `${entry}: ${source} resolves to ${relative(root, target)}, which "files" does not ship`);
    }
    maps++;
  }
  assert.ok(maps > 50, `found only ${maps} maps`);
});

test("package: each sideEffects entry names a built module; LICENSE and NOTICE exist and NOTICE credits Apache Libcloud", () => {
  assert.ok(Array.isArray(pkg.sideEffects), "sideEffects lists the modules with import-time effects");
  for (const file of pkg.sideEffects) {
    assert.ok(existsSync(join(root, file)), `sideEffects names ${file}, which the build does not produce`);
    assert.ok(shipped(join(root, file)));
  }
  assert.match(readFileSync(join(root, "LICENSE"), "utf8"), /Apache License\s+Version 2\.0, January 2004/);
  const notice = readFileSync(join(root, "NOTICE"), "utf8");
  assert.match(notice, /This product includes software developed at\s+The Apache Software Foundation/);
  assert.match(notice, /Apache Libcloud/);
});

test("package: engines admits the running Node, and undici is a range", () => {
  const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
  assert.ok(major === 20 ? minor >= 19 : major > 22 || (major === 22 && minor >= 12), `Node ${process.version} is outside engines ${pkg.engines.node}`);
  assert.match(pkg.dependencies["undici"] ?? "", /^\^7\./);
});
