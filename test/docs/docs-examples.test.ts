// Every TypeScript example of README.md and docs/*.md compiles, strictly, against the built package
// (`import … from "libcloud-ts"` resolves to this repository's dist/ through package.json "exports"),
// and the runnable ones run: as scripts against a loopback stand-in for their API (reached through
// the https_proxy they honour, with a certificate for *.example.com from the test CA), or as
// node:test files. test/docs/examples.ts says how a document marks an example.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import tls from "node:tls";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { ExampleDirectiveError, extractExamples, missingExcerptLine, type Example } from "./examples.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const TLS_DIR = join(REPO, "test", "fixtures", "tls");
const TOKEN = "docs-example-token-7f3a";

function documents(): string[] {
  const docs = readdirSync(join(REPO, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => join("docs", f));
  return ["README.md", ...docs];
}

function allExamples(): Example[] {
  return documents().flatMap((doc) => extractExamples(readFileSync(join(REPO, doc), "utf8"), doc));
}

/** The file an example is written to: its name, else one made from where it is. */
function fileOf(example: Example): string {
  return example.name ?? `${basename(example.doc, ".md").toLowerCase()}-line-${example.line}.ts`;
}

/** Imports of this repository's src/ (in copied files) become the package's own names. */
function asPackageImports(code: string): string {
  return code.replace(/from "(?:\.\.\/)+src\/(index|test\/index|storage\/index)\.js"/g, (_m, entry: string) =>
    `from "${entry === "index" ? "libcloud-ts" : `libcloud-ts/${entry.replace("/index", "")}`}"`);
}

/** Copies a repository file or folder (its .ts and fixture files) into `dir`. */
function copyWith(path: string, dir: string): void {
  const from = join(REPO, path);
  const files = statSync(from).isDirectory() ? readdirSync(from).map((f) => join(from, f)) : [from];
  for (const file of files) {
    const to = join(dir, basename(file));
    if (file.endsWith(".ts")) writeFileSync(to, asPackageImports(readFileSync(file, "utf8")));
    else cpSync(file, to);
  }
}

interface Compiled {
  dir: string;
  diagnostics: string[];
}

/** Writes the examples into a temporary package that depends on this one, and compiles them with tsc's API. */
function compile(examples: readonly Example[]): Compiled {
  const dir = mkdtempSync(join(tmpdir(), "libcloud-docs-"));
  mkdirSync(join(dir, "node_modules", "@types"), { recursive: true });
  symlinkSync(REPO, join(dir, "node_modules", "libcloud-ts"), "dir");
  symlinkSync(join(REPO, "node_modules", "@types", "node"), join(dir, "node_modules", "@types", "node"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "docs-examples", type: "module", private: true }));
  const files: string[] = [];
  const where = new Map<string, Example>();
  for (const example of examples) {
    for (const path of example.with) copyWith(path, dir);
    const file = join(dir, fileOf(example));
    if (where.has(file)) throw new Error(`${example.doc}:${example.line}: another example is already named ${fileOf(example)}`);
    // Each example is a module of its own (top-level await, no clash of names between examples).
    writeFileSync(file, /^\s*(import|export)\b/m.test(example.code) ? example.code : `${example.code}export {};\n`);
    files.push(file);
    where.set(file, example);
  }
  for (const f of readdirSync(dir)) if (f.endsWith(".ts") && !files.includes(join(dir, f))) files.push(join(dir, f));
  // The repository's own compiler options: strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes …
  const config = ts.readConfigFile(join(REPO, "tsconfig.json"), (p) => ts.sys.readFile(p));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, REPO);
  const program = ts.createProgram(files, {
    ...options, paths: {}, rootDir: dir, outDir: dir, declaration: false, declarationMap: false, sourceMap: false, typeRoots: [join(dir, "node_modules", "@types")],
  });
  const emitted = program.emit();
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (d.file === undefined || d.start === undefined) return message;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    const example = where.get(resolve(d.file.fileName));
    const place = example === undefined ? relative(dir, d.file.fileName) : `${example.doc}:${example.line + line}`;
    return `${place}: TS${d.code}: ${message}`;
  });
  return { dir, diagnostics };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runNode(args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${args.join(" ")} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/**
 * The APIs the examples talk to (api.example.com …), on loopback: a proxy that accepts CONNECT to
 * any *.example.com host and answers inside the tunnel over TLS with the test CA's *.example.com
 * certificate.
 */
async function startExampleApis(): Promise<{ proxyUrl: string; close(): Promise<void> }> {
  const api = http.createServer((req, res) => {
    const send = (status: number, value: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { error: "invalid token" });
    if (req.method === "GET" && req.url === "/v1/servers?limit=100") return send(200, { servers: [{ id: "srv-1" }] });
    return send(404, { error: `no route ${req.method} ${req.url}` });
  });
  const context = tls.createSecureContext({ cert: readFileSync(join(TLS_DIR, "names.pem")), key: readFileSync(join(TLS_DIR, "names.key")) });
  const sockets = new Set<Socket>();
  const proxy = http.createServer((_req, res) => {
    res.writeHead(502);
    res.end();
  });
  proxy.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  proxy.on("connect", (req: http.IncomingMessage, socket: Socket) => {
    if (!/^[a-z0-9-]+\.example\.com:443$/.test(req.url ?? "")) {
      socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: context });
    api.emit("connection", secure);
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  const { port } = proxy.address() as AddressInfo;
  return {
    proxyUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      api.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
    },
  };
}

describe("the examples extractor", () => {
  test("finds ts blocks whatever the fence, indentation and line ends, with their directives and lines", () => {
    const md = [
      "# Doc", "", "```ts", "const a = 1;", "```", "",
      "<!-- example: name=b.ts; run=node; expect=hi -->", "", "~~~~typescript title=\"x\"", "```ts", "inside();", "~~~~", "",
      "- a list", "  ```ts", "  indented();", "  ```", "```sh", "echo no", "```", "```json", "{}", "```",
    ].join("\r\n");
    const found = extractExamples(md, "doc.md");
    assert.deepEqual(found.map((e) => [e.line, e.code, e.name, e.run, e.expect]), [
      [4, "const a = 1;\n", undefined, undefined, undefined],
      [10, "```ts\ninside();\n", "b.ts", "node", "hi"],
      [16, "indented();\n", undefined, undefined, undefined],
    ]);
  });

  test("a misspelt or incomplete directive is an error, never a silently skipped check", () => {
    assert.throws(() => extractExamples("<!-- example: rnu=node -->\n```ts\nx\n```\n", "d.md"), ExampleDirectiveError);
    assert.throws(() => extractExamples("<!-- example: skip -->\n```ts\nx\n```\n", "d.md"), /skip needs a reason/);
    assert.throws(() => extractExamples("<!-- example: run=deno -->\n```ts\nx\n```\n", "d.md"), /run must be node or test/);
  });

  test("an excerpt must match its file line by line, in order; … stands for what was left out", () => {
    const source = "class A {\n  x = 1;\n  y(): number {\n    return 2;\n  }\n}\n";
    assert.equal(missingExcerptLine("class A {\n  …\n  y(): number {\n    return 2; …\n}", source), undefined);
    assert.equal(missingExcerptLine("class A {\n  y(): number {\n  x = 1;\n", source), "  x = 1;");
    assert.equal(missingExcerptLine("class B {\n", source), "class B {");
  });
});

describe("every TypeScript example in README.md and docs/*.md", () => {
  const examples = allExamples();
  let compiled: Compiled;
  let apis: Awaited<ReturnType<typeof startExampleApis>>;
  before(async () => {
    compiled = compile(examples.filter((e) => e.skip === undefined && e.excerpt === undefined));
    apis = await startExampleApis();
  });
  after(async () => {
    await apis.close();
    rmSync(compiled.dir, { recursive: true, force: true });
  });

  test("there are examples, and each one is compiled, run, or an excerpt checked against its file", () => {
    assert.ok(examples.length >= 8, `only ${examples.length} examples found`);
    const skipped = examples.filter((e) => e.skip !== undefined);
    for (const e of skipped) console.log(`# skipped ${e.doc}:${e.line}: ${e.skip ?? ""}`);
    assert.ok(skipped.length <= 2, `too many skipped examples: ${skipped.map((e) => `${e.doc}:${e.line}`).join(", ")}`);
  });

  test("they compile in strict mode against the built package", () => {
    assert.deepEqual(compiled.diagnostics, []);
  });

  for (const example of examples.filter((e) => e.excerpt !== undefined)) {
    test(`${example.doc}:${example.line} is an excerpt of ${example.excerpt ?? ""}, line by line`, () => {
      const source = readFileSync(join(REPO, example.excerpt!), "utf8");
      assert.equal(missingExcerptLine(example.code, source), undefined, `not in ${example.excerpt ?? ""}`);
    });
  }

  for (const example of examples.filter((e) => e.run !== undefined && e.skip === undefined)) {
    test(`${example.doc}:${example.line} runs (${example.run === "test" ? "node --test" : "node"})`, async () => {
      const js = join(compiled.dir, fileOf(example).replace(/\.m?ts$/, ".js"));
      const env: NodeJS.ProcessEnv = {
        PATH: process.env["PATH"], HOME: process.env["HOME"],
        https_proxy: apis.proxyUrl, SSL_CERT_FILE: join(TLS_DIR, "ca.pem"), EXAMPLE_TOKEN: TOKEN,
      };
      const args = example.run === "test" ? ["--test", "--test-reporter=tap", "--test-timeout=20000", js] : [js];
      const result = await runNode(args, compiled.dir, env);
      assert.equal(result.code, 0, `exit ${result.code}\n${result.stdout}\n${result.stderr}`);
      if (example.expect !== undefined) assert.ok(result.stdout.includes(example.expect), `stdout lacks ${JSON.stringify(example.expect)}:\n${result.stdout}`);
      if (example.run === "test") assert.match(result.stdout, /^# fail 0$/m);
    });
  }
});
