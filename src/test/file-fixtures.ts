// Port of libcloud/test/file_fixtures.py: FileFixtures — fixture files for driver tests.
import { readFileSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Loads fixture files from `<root>/<subdir>/` (libcloud's `FileFixtures(fixtures_type, sub_dir)`).
 * `root` is a directory path (relative paths resolve against the working directory) or a `file:`
 * URL, such as `new URL("../fixtures", import.meta.url)`.
 */
export class FileFixtures {
  /** The directory fixtures are read from. */
  readonly root: string;

  constructor(root: string | URL, subdir = "") {
    const base = root instanceof URL ? fileURLToPath(root) : root;
    this.root = resolve(base, subdir);
  }

  /** The absolute path of a fixture; a name that escapes the fixture directory is refused. */
  path(name: string): string {
    const full = resolve(this.root, name);
    const rel = relative(this.root, full);
    if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) throw new Error(`Fixture name ${JSON.stringify(name)} is outside ${this.root}`);
    return full;
  }

  /** A fixture's text (UTF-8). */
  load(name: string): string {
    return this.loadBytes(name).toString("utf8");
  }

  /** A fixture's bytes. */
  loadBytes(name: string): Buffer {
    const full = this.path(name);
    try {
      return readFileSync(full);
    } catch (cause) {
      throw new Error(`Fixture ${JSON.stringify(name)} not found: ${full}`, { cause });
    }
  }
}
