// Recording fixtures from live traffic (LIBCLOUD_RECORD=<dir> or startRecording()): one file per
// response body, named after the mock method as libcloud's fixtures are, plus a generated
// PlaybackMockHttp subclass (TypeScript) that replays them. Secrets are sanitised with the same
// rules as the debug log.
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { setEnvironmentRecorderFactory, setExchangeRecorder, type ExchangeRecorder, type RecordedExchange } from "../utils/logging-connection.js";
import {
  SAFE_SCRUB_LENGTH, redactBodyText, redactHeaders, redactResponseHeaders, redactJsonValue, redactTarget, requestSecrets,
  scrubSecretBytes, scrubSecrets, shortHash,
} from "../utils/redact.js";
import { parseJson, stringifyJson } from "../utils/json.js";
import { mockMethodName } from "./mock-http.js";
import type { RecordedResponse } from "./playback-mock-http.js";

/** Options of {@link startRecording}. */
export interface RecordOptions {
  /** Name of the generated class. @defaultValue "RecordedMockHttp" */
  className?: string | undefined;
  /** Module the generated source imports from. @defaultValue "libcloud-ts/test" */
  importFrom?: string | undefined;
  /**
   * The fixture root written into the generated source (`new FileFixtures(root, subdir, { base:
   * import.meta.url })`): a relative root is relative to the generated file's source directory, never
   * to the working directory. @defaultValue the generated file's own directory, where the fixtures are
   */
  fixturesRoot?: string | undefined;
  /** Sanitise secrets; `false` records them (never commit such fixtures). @defaultValue true */
  redact?: boolean | undefined;
  /** Largest body recorded, in bytes. @defaultValue 64 MiB */
  maxBodyBytes?: number | undefined;
}

const DROP_HEADERS = new Set(["content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive", "date"]);

/** Longest fixture file name written, in UTF-8 bytes (file systems allow 255); longer ones are shortened. */
export const MAX_FIXTURE_NAME_BYTES = 200;

/**
 * A fixture's base name that fits the file system: names over {@link MAX_FIXTURE_NAME_BYTES}
 * keep their start and get a hash of the whole name, so they stay distinct and are never dropped.
 */
export function fitFixtureName(name: string, ext: string): string {
  const full = `${name}.${ext}`;
  if (Buffer.byteLength(full) <= MAX_FIXTURE_NAME_BYTES) return full;
  let head = name;
  const room = MAX_FIXTURE_NAME_BYTES - ext.length - 18;
  while (Buffer.byteLength(head) > room) head = head.slice(0, Math.max(0, head.length - Math.max(1, Buffer.byteLength(head) - room)));
  return `${head}_${shortHash(name)}.${ext}`;
}

interface Entry extends RecordedResponse {
  readonly name: string;
}

function extensionFor(contentType: string, binary: boolean): string {
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  if (binary) return "bin";
  if (/json/.test(type)) return "json";
  if (/xml/.test(type)) return "xml";
  if (type === "text/html") return "html";
  return "txt";
}

function looksBinary(body: Buffer): boolean {
  if (body.includes(0)) return true;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(body);
    return false;
  } catch {
    return true;
  }
}

/** Records every exchange of every connection while active; see {@link startRecording}. */
export class Recorder implements ExchangeRecorder {
  /** The fixture directory. */
  readonly dir: string;
  /** The generated source file. */
  readonly sourcePath: string;
  /** Name of the generated PlaybackMockHttp subclass. */
  readonly className: string;
  readonly maxBodyBytes: number;
  readonly #options: { importFrom: string; fixturesRoot: string | undefined; redact: boolean };
  readonly #entries: Entry[] = [];
  readonly #files = new Set<string>();
  readonly #warned = new Set<string>();

  constructor(dir: string, options: RecordOptions = {}) {
    this.dir = resolve(dir);
    this.className = options.className ?? "RecordedMockHttp";
    if (!/^[A-Za-z_$][\w$]*$/.test(this.className)) throw new TypeError(`className must be an identifier, got ${JSON.stringify(this.className)}`);
    this.maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024;
    this.#options = {
      importFrom: options.importFrom ?? "libcloud-ts/test",
      fixturesRoot: options.fixturesRoot,
      redact: options.redact ?? true,
    };
    this.sourcePath = resolve(this.dir, `${kebab(this.className)}.ts`);
    mkdirSync(this.dir, { recursive: true });
  }

  /** The responses recorded so far. */
  get entries(): readonly RecordedResponse[] {
    return this.#entries;
  }

  /** Stops recording (the files are already written). */
  stop(): void {
    setExchangeRecorder(null);
  }

  /** @internal */
  onResponse(exchange: RecordedExchange): void {
    const { connection, request, response } = exchange;
    const redact = this.#options.redact;
    // The request's secrets (the connection's, tokens, signatures, body fields) are collected
    // first, so that echoes in the response are scrubbed too.
    const { declared, secrets } = redact ? requestSecrets(connection, request) : { declared: null, secrets: new Set<string>() };
    if (redact) this.#warnShort(secrets);
    const url = redact ? redactTarget(request.url, declared!.params, secrets) : request.url;
    if (redact) redactHeaders(request.headers, declared!.headers, secrets);
    const scrub = (text: string): string => (redact ? scrubSecrets(text, secrets) : text);

    // Named after the scrubbed URL: a token in the path never becomes a file or method name.
    const name = mockMethodName(scrub(url), null, null);
    const kept: Record<string, string> = {};
    for (const [k, v] of Object.entries(response.headers)) if (!DROP_HEADERS.has(k)) kept[k] = v;
    const headers: Record<string, string> = {};
    const shown = redact ? redactResponseHeaders(kept, declared!.headers, secrets, declared!.params) : kept;
    for (const [k, v] of Object.entries(shown)) headers[k] = scrub(v);

    let fixture: string | null = null;
    let binary = false;
    if (exchange.body.length > 0) {
      binary = looksBinary(exchange.body);
      let bytes = exchange.body;
      if (!binary) {
        let text = exchange.body.toString("utf8");
        if (redact && /json/i.test(headers["content-type"] ?? "")) {
          try {
            const parsed: unknown = parseJson(text);
            const report = { changed: false };
            const out = redactJsonValue(parsed, declared!.bodyFields, secrets, report);
            if (report.changed) text = stringifyJson(out, 2);
          } catch {
            // Not JSON after all: scrubbing below still removes known secrets.
          }
        } else if (redact) {
          // XML elements and attributes, form fields, `"name": "value"` pairs: the log's rules.
          text = redactBodyText(text, headers["content-type"] ?? "", declared!, secrets, { redact: true });
        }
        bytes = Buffer.from(scrub(text));
      } else if (redact) {
        // Bytes that look binary may still carry an echoed token.
        bytes = scrubSecretBytes(bytes, secrets);
      }
      const count = this.#entries.filter((e) => e.name === name).length;
      fixture = fitFixtureName(`${name}${count === 0 ? "" : `_${count + 1}`}`, extensionFor(headers["content-type"] ?? "", binary));
      while (this.#files.has(fixture)) fixture = `_${fixture}`;
      this.#files.add(fixture);
      try {
        writeFileSync(resolve(this.dir, fixture), bytes);
      } catch (error) {
        // The warning names the error code only: a path could carry what the name was made from.
        const code = (error as { code?: unknown } | null)?.code;
        process.emitWarning(`libcloud recorder: could not write a fixture (${typeof code === "string" ? code : "error"})`, { code: "LIBCLOUD_RECORD_FAILED" });
        return;
      }
    }
    const entry: Entry = {
      name, method: request.method, url: scrub(url), status: response.status, reason: response.reason, headers, fixture,
      ...(binary ? { binary: true } : {}),
      ...(exchange.complete && exchange.totalBytes <= exchange.body.length ? {} : { partial: true }),
    };
    this.#entries.push(entry);
    writeFileSync(this.sourcePath, this.source());
  }

  /** Warns once per length (never the value) about credentials too short to scrub safely. */
  #warnShort(secrets: ReadonlySet<string>): void {
    for (const secret of secrets) {
      if (secret.length >= SAFE_SCRUB_LENGTH) continue;
      const key = String(secret.length);
      if (this.#warned.has(key)) continue;
      this.#warned.add(key);
      process.emitWarning(
        `libcloud recorder: a credential of ${secret.length} characters is too short to scrub safely: `
        + (secret.length < 4 ? "it is not scrubbed from fixtures" : "it is scrubbed only where it stands as a whole word")
        + "; record with a longer, distinctive key",
        { code: "LIBCLOUD_RECORD_SHORT_SECRET" },
      );
    }
  }

  /** The generated TypeScript source of the MockHttp subclass. */
  source(): string {
    const byName = new Map<string, Entry[]>();
    for (const e of this.#entries) {
      const list = byName.get(e.name) ?? [];
      list.push(e);
      byName.set(e.name, list);
    }
    const q = (v: string): string => JSON.stringify(v);
    const key = (name: string): string => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : q(name));
    const lines: string[] = [
      `// Recorded by libcloud-ts: ${this.#entries.length} response(s). Regenerate it by recording again rather than editing by hand.`,
      `import { FileFixtures, PlaybackMockHttp, type MockResponse, type RecordedResponse } from ${q(this.#options.importFrom)};`,
      "",
      `/** Replays the recorded session strictly; swap it in with \`connCls\`. */`,
      `export class ${this.className} extends PlaybackMockHttp {`,
      // Beside the generated file (or relative to it), wherever the tests run from and wherever it was recorded.
      `  static override fixtures: FileFixtures | null = new FileFixtures(${this.#options.fixturesRoot === undefined ? '".", ""' : `${q(this.#options.fixturesRoot)}, ${q(basename(this.dir))}`}, { base: import.meta.url });`,
      `  static override recorded: Readonly<Record<string, readonly RecordedResponse[]>> = {`,
    ];
    for (const [name, list] of byName) {
      lines.push(`    ${key(name)}: [`);
      for (const e of list) {
        const { name: _name, ...rest } = e;
        lines.push(`      ${JSON.stringify(rest)},`);
      }
      lines.push("    ],");
    }
    lines.push("  };", "");
    for (const name of byName.keys()) {
      lines.push(`  ${key(name)}(method: string, url: string): MockResponse {`, `    return this.replay(${q(name)}, method, url);`, "  }", "");
    }
    if (byName.size > 0) lines.pop();
    lines.push("}", "");
    return lines.join("\n");
  }
}

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").replace(/([A-Z])([A-Z][a-z])/g, "$1-$2").toLowerCase();
}

/**
 * Records every request of every connection into `dir` until `stop()`: one fixture file per
 * response body and a generated `PlaybackMockHttp` subclass. Replaces any recording in progress.
 */
export function startRecording(dir: string, options: RecordOptions = {}): Recorder {
  const recorder = new Recorder(dir, options);
  setExchangeRecorder(recorder);
  return recorder;
}

/** The recorder for `LIBCLOUD_RECORD=<dir>` (built on the first request). @internal */
export function recorderFromEnvironment(dir: string): Recorder {
  return new Recorder(dir);
}

// The debug log (src/utils) may not import the test kit, so the kit tells it how to record.
setEnvironmentRecorderFactory(recorderFromEnvironment);
