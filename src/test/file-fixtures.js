// Port of libcloud/test/file_fixtures.py: FileFixtures — fixture files for driver tests.
import { readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
const THIS_FILE = fileURLToPath(import.meta.url);
function toPath(value) {
    if (value instanceof URL)
        return fileURLToPath(value);
    return value.startsWith("file:") ? fileURLToPath(value) : value;
}
/** The file of the code that called into this module (the test file, or a FileFixtures subclass). */
function callerFile() {
    const original = Reflect.get(Error, "prepareStackTrace");
    try {
        Error.prepareStackTrace = (_error, sites) => sites;
        const holder = {};
        Error.captureStackTrace(holder, callerFile);
        const sites = holder.stack;
        for (const site of sites ?? []) {
            const name = site.getFileName();
            if (name === undefined || name === null || name.startsWith("node:"))
                continue;
            const file = toPath(name);
            if (file !== THIS_FILE && isAbsolute(file))
                return file;
        }
        return undefined;
    }
    finally {
        Error.prepareStackTrace = original;
    }
}
/**
 * The directory a module's relative fixture paths are relative to: a directory itself; for a module
 * compiled with a source map (tsc to `dist/`), the directory of its source, where the fixtures are;
 * otherwise the module's own directory.
 */
export function sourceDirectoryOf(file) {
    let text;
    try {
        if (statSync(file).isDirectory())
            return file;
        text = readFileSync(file, "utf8");
    }
    catch {
        return dirname(file);
    }
    const match = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text);
    if (match === null)
        return dirname(file);
    const ref = match[1];
    try {
        let map;
        let mapDir = dirname(file);
        const inline = /^data:application\/json;(?:charset=[^;,]+;)?base64,(.*)$/.exec(ref);
        if (inline !== null)
            map = JSON.parse(Buffer.from(inline[1], "base64").toString("utf8"));
        else {
            const mapPath = resolve(mapDir, decodeURI(ref));
            map = JSON.parse(readFileSync(mapPath, "utf8"));
            mapDir = dirname(mapPath);
        }
        const source = Array.isArray(map.sources) ? map.sources[0] : undefined;
        if (typeof source !== "string")
            return dirname(file);
        const root = typeof map.sourceRoot === "string" ? map.sourceRoot : "";
        return dirname(source.startsWith("file:") ? fileURLToPath(source) : resolve(mapDir, root, source));
    }
    catch {
        return dirname(file);
    }
}
/**
 * Loads fixture files from `<root>/<subdir>/` (libcloud's `FileFixtures(fixtures_type, sub_dir)`).
 * `root` is an absolute path, a `file:` URL, or a path relative to the source directory of the
 * module that makes the FileFixtures (or of `options.base`, such as `import.meta.url`), as
 * libcloud's are relative to its test package rather than to the working directory. A module
 * compiled to `dist/` with a source map resolves against its `.ts` source, where the fixtures are.
 */
export class FileFixtures {
    /** The directory fixtures are read from. */
    root;
    constructor(root, subdir = "", options = {}) {
        let base;
        const rootPath = toPath(root);
        if (isAbsolute(rootPath))
            base = rootPath;
        else {
            const anchor = options.base === undefined ? callerFile() : toPath(options.base);
            base = resolve(anchor === undefined ? process.cwd() : sourceDirectoryOf(resolve(anchor)), rootPath);
        }
        this.root = resolve(base, subdir);
    }
    /** The absolute path of a fixture; a name that escapes the fixture directory is refused. */
    path(name) {
        const full = resolve(this.root, name);
        const rel = relative(this.root, full);
        if (rel === "" || rel.startsWith("..") || isAbsolute(rel))
            throw new Error(`Fixture name ${JSON.stringify(name)} is outside ${this.root}`);
        return full;
    }
    /** A fixture's text (UTF-8). */
    load(name) {
        return this.loadBytes(name).toString("utf8");
    }
    /** A fixture's bytes. */
    loadBytes(name) {
        const full = this.path(name);
        try {
            return readFileSync(full);
        }
        catch (cause) {
            throw new Error(`Fixture ${JSON.stringify(name)} not found: ${full}`, { cause });
        }
    }
}
