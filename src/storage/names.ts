// Port of libcloud/storage/base.py's implicit name handling, made explicit: container and object
// names are names, never paths (RELIABILITY H2). Every storage method of every driver vets its
// names here before a byte is sent; drivers then percent-encode every character but `/` (object
// names) or every character (container names), so the server takes the name literally.
import { InvalidContainerNameError, InvalidObjectNameError } from "./errors.js";

/** A lone UTF-16 surrogate: not encodable as UTF-8, so it cannot be sent as the name it is. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function describe(name: string): string {
  return JSON.stringify(name.length > 200 ? `${name.slice(0, 200)}…` : name);
}

/** What is wrong with a name as one segment or as a `/`-separated object name; undefined when nothing. */
function problem(name: unknown, kind: "container" | "object"): string | undefined {
  if (typeof name !== "string") return `must be a string, got ${name === null ? "null" : typeof name}`;
  if (name === "") return "must not be empty";
  if (name.includes("\0")) return "must not contain NUL";
  if (name.includes("\\")) return "must not contain a backslash (servers read it as a path separator)";
  if (LONE_SURROGATE.test(name)) return "must not contain a lone UTF-16 surrogate";
  if (kind === "container") {
    if (name.includes("/")) return "must not contain '/'";
    if (name === "." || name === "..") return "must not be '.' or '..'";
    return undefined;
  }
  const segments = name.split("/");
  // A trailing "/" (a "folder" marker object) is allowed; an empty segment anywhere else is not.
  if (segments.at(-1) === "") segments.pop();
  for (const segment of segments) {
    if (segment === "") return "must not start with '/' or contain '//'";
    if (segment === "." || segment === "..") return "must not contain a '.' or '..' segment";
  }
  return undefined;
}

/**
 * Checks that a container name addresses one container and nothing else: a non-empty string
 * without `/`, `\`, NUL or lone surrogates, not `.` or `..`. Whatever else it holds (`%2F`,
 * `%2E%2E`, spaces, Unicode) is percent-encoded by the driver and taken literally by the server,
 * which may still refuse it by its own rules. Returns the name.
 *
 * @throws InvalidContainerNameError before anything is sent.
 */
export function checkContainerName(name: string): string {
  const why = problem(name, "container");
  if (why !== undefined) {
    throw new InvalidContainerNameError(`Invalid container name ${describe(String(name))}: it ${why}`, { containerName: String(name) });
  }
  return name;
}

/**
 * Checks that an object name addresses one object of its container and nothing else: a non-empty
 * string of `/`-separated segments, none of them empty (no leading `/`, no `//`; one trailing `/`
 * is allowed), `.` or `..`, without `\`, NUL or lone surrogates. Every other character (`%2F`,
 * `%2E%2E`, `?`, `#`, spaces, Unicode) is percent-encoded by the driver and taken literally.
 * Returns the name.
 *
 * @throws InvalidObjectNameError before anything is sent.
 */
export function checkObjectName(name: string): string {
  const why = problem(name, "object");
  if (why !== undefined) {
    throw new InvalidObjectNameError(`Invalid object name ${describe(String(name))}: it ${why}`, { objectName: String(name) });
  }
  return name;
}

/**
 * The local file name a download into a directory gets: the object name's last segment, vetted so
 * that it names a file inside that directory (never `..`, `.`, empty, or a path on any platform).
 *
 * @throws InvalidObjectNameError when the last segment cannot be a file name.
 */
export function localFileName(objectName: string): string {
  checkObjectName(objectName);
  const last = objectName.split("/").filter((s) => s !== "").at(-1) ?? "";
  if (last === "" || last === "." || last === ".." || last.includes("/") || last.includes("\\") || last.includes("\0")) {
    throw new InvalidObjectNameError(`Object name ${describe(objectName)} gives no file name to download into a directory`, { objectName });
  }
  return last;
}
