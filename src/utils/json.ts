// Port of Python's json.loads limits as libcloud meets them: JSON nested deeper than Python's
// recursion limit (about 1,000 levels) fails to parse there, so JsonResponse raises
// MalformedResponseError. Here the same bound is checked before JSON.parse, and a serializer that
// cannot overflow the stack (JSON.stringify recurses: it throws RangeError near 5,000 levels) is
// used by the debug log's pretty printer.

/** How deep a JSON document may nest (arrays and objects), as Python's default recursion limit. */
export const MAX_JSON_DEPTH = 1000;

/** A JSON document nested deeper than {@link MAX_JSON_DEPTH}. */
export class JsonDepthError extends SyntaxError {
  override name = "JsonDepthError";
}

/**
 * Throws {@link JsonDepthError} when `text` nests deeper than `maxDepth`. A text shorter than
 * `2 × maxDepth` cannot, so the usual small body costs nothing.
 */
export function checkJsonDepth(text: string, maxDepth: number = MAX_JSON_DEPTH): void {
  if (text.length <= 2 * maxDepth) return;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) throw new JsonDepthError(`JSON nested deeper than ${maxDepth} levels`);
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
}

/** `JSON.parse` with the depth bound of {@link checkJsonDepth}. */
export function parseJson(text: string, maxDepth: number = MAX_JSON_DEPTH): unknown {
  checkJsonDepth(text, maxDepth);
  return JSON.parse(text) as unknown;
}

/**
 * JSON text for a parsed value, iteratively (any depth). With `indent` > 0 and `sortKeys`, the
 * output is Python's `json.dumps(value, indent=4, sort_keys=True)` for ASCII content, which is what
 * libcloud's LoggingConnection prints with LIBCLOUD_DEBUG_PRETTY_PRINT_RESPONSE.
 */
export function stringifyJson(value: unknown, indent = 0, sortKeys = false): string {
  const out: string[] = [];
  const pad = (level: number): string => (indent > 0 ? `\n${" ".repeat(indent * level)}` : "");
  const colon = indent > 0 ? ": " : ":";
  type Frame = { kind: "value"; value: unknown; level: number } | { kind: "text"; text: string };
  const work: Frame[] = [{ kind: "value", value, level: 0 }];
  while (work.length > 0) {
    const frame = work.pop()!;
    if (frame.kind === "text") {
      out.push(frame.text);
      continue;
    }
    const v = frame.value;
    const level = frame.level;
    if (v === null || typeof v === "boolean" || typeof v === "number" || typeof v === "string") {
      out.push(typeof v === "number" && !Number.isFinite(v) ? "null" : JSON.stringify(v));
    } else if (Array.isArray(v)) {
      if (v.length === 0) {
        out.push("[]");
        continue;
      }
      const frames: Frame[] = [{ kind: "text", text: "[" }];
      v.forEach((item: unknown, i) => {
        frames.push({ kind: "text", text: `${i === 0 ? "" : ","}${pad(level + 1)}` });
        frames.push({ kind: "value", value: item === undefined || typeof item === "function" ? null : item, level: level + 1 });
      });
      frames.push({ kind: "text", text: `${pad(level)}]` });
      for (let i = frames.length - 1; i >= 0; i--) work.push(frames[i]!);
    } else if (typeof v === "object") {
      const keys = Object.keys(v).filter((k) => {
        const item = (v as Record<string, unknown>)[k];
        return item !== undefined && typeof item !== "function";
      });
      if (sortKeys) keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      if (keys.length === 0) {
        out.push("{}");
        continue;
      }
      const frames: Frame[] = [{ kind: "text", text: "{" }];
      keys.forEach((k, i) => {
        frames.push({ kind: "text", text: `${i === 0 ? "" : ","}${pad(level + 1)}${JSON.stringify(k)}${colon}` });
        frames.push({ kind: "value", value: (v as Record<string, unknown>)[k], level: level + 1 });
      });
      frames.push({ kind: "text", text: `${pad(level)}}` });
      for (let i = frames.length - 1; i >= 0; i--) work.push(frames[i]!);
    } else {
      out.push("null");
    }
  }
  return out.join("");
}

/** JSON.stringify that never throws (cycles, BigInt, depth) and falls back to String(). */
export function safeJson(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text;
  } catch {
    return String(value);
  }
}
