// Port of nothing in libcloud: runs each program in examples/ (compiled to dist/examples) as a user
// would, in its own process, and checks that it exits 0 and prints what it promises.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);
const examples = join(import.meta.dirname, "..", "examples");

async function runExample(args: string[], timeout: number): Promise<string> {
  // Without NODE_TEST_CONTEXT, which the runner sets for its children: the example runs as a user runs it.
  const { NODE_TEST_CONTEXT: _context, ...env } = process.env;
  const { stdout } = await run(process.execPath, args, { cwd: join(examples, "..", ".."), timeout, env: { ...env, LIBCLOUD_DEBUG: "" } });
  return stdout;
}

test("examples/json-api-driver: lists the loopback API's servers; a wrong token is InvalidCredsError", { timeout: 20_000 }, async () => {
  const out = await runExample([join(examples, "json-api-driver.js")], 15_000);
  assert.match(out, /^server srv-1 web\nserver srv-2 db\nwrong token -> InvalidCredsError\n$/);
});

test("examples/driver-test-with-mockhttp: its node:test tests pass", { timeout: 20_000 }, async () => {
  const out = await runExample(["--test", "--test-reporter=tap", join(examples, "driver-test-with-mockhttp.js")], 15_000);
  assert.match(out, /^# pass 2$/m);
  assert.match(out, /^# fail 0$/m);
});

test("examples/storage-azurite: upload, list, stream download and delete on Azurite", { timeout: 60_000 }, async () => {
  const out = await runExample([join(examples, "storage-azurite.js")], 55_000);
  assert.match(out, /^uploaded greetings\/hello\.txt \(23000 bytes\)$/m);
  assert.match(out, /^listed greetings\/hello\.txt 23000$/m);
  assert.match(out, /^downloaded 23000 bytes, identical$/m);
  assert.match(out, /^deleted example-\d+$/m);
});
