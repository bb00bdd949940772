// Runs every compiled test file (dist/test/**/*.test.js) with Node's built-in runner.
// The file list is built here and passed explicitly, because Node 20's `--test` takes directories
// (and then also runs every helper module under a `test` folder) while Node 21+ takes globs: one
// explicit list runs the same files on every Node line. The spec reporter's "ℹ pass N / ℹ fail N"
// lines are what CI reads; we also print the plain "N passed, N failed" line last, since the spec
// reporter lists failure details after its own summary.
// LIBCLOUD_TS_EXPECT_NODE=22 (set by .ci/run) makes the run fail unless it is on that major line,
// so a PATH mistake cannot silently test the wrong Node.
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const expected = process.env["LIBCLOUD_TS_EXPECT_NODE"];
const major = process.versions.node.split(".")[0];
console.log(`run-tests: Node ${process.version} (${process.execPath})`);
if (expected !== undefined && expected !== "" && expected !== major) {
  console.error(`run-tests: expected Node ${expected}, running on ${process.version}`);
  console.log("\n0 passed, 1 failed, 0 skipped");
  process.exit(1);
}

// A test that hangs fails after 2 minutes; a file whose tests are done exits even if a timer leaked
// (--test-force-exit); and the watchdog below is the last resort, so a hang never eats CI's 90 minutes.
const args = ["--test", "--test-reporter=spec", "--test-concurrency=2", "--test-timeout=120000", "--test-force-exit"];
const WATCHDOG_MS = 30 * 60 * 1000;
const files = process.argv.slice(2);
if (files.length === 0) {
  for (const entry of readdirSync("dist/test", { recursive: true, encoding: "utf8" })) {
    if (entry.endsWith(".test.js")) files.push(join("dist/test", entry));
  }
  files.sort();
  if (files.length === 0) {
    console.error("run-tests: no dist/test/**/*.test.js (run `npm run build` first)");
    process.exit(1);
  }
}
args.push(...files);
const counts = { pass: 0, fail: 0, skipped: 0 };
let partial = "";
const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
child.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  const lines = (partial + chunk.toString()).split("\n");
  partial = lines.pop() ?? "";
  for (const line of lines) {
    const m = /^ℹ (pass|fail|skipped) (\d+)\s*$/.exec(line);
    if (m) counts[m[1]] = Number(m[2]);
  }
});
const watchdog = setTimeout(() => {
  console.error(`\nrun-tests: still running after ${WATCHDOG_MS / 60000} minutes; stopping (a test file did not exit)`);
  counts.fail = Math.max(counts.fail, 1);
  child.kill("SIGKILL");
}, WATCHDOG_MS);
child.on("close", (code) => {
  clearTimeout(watchdog);
  // A run that exits 0 but counted no passing test (or exits non-zero with no failure counted) is a failure.
  if (code !== 0 && counts.fail === 0) counts.fail = 1;
  const ok = code === 0 && counts.fail === 0 && counts.pass > 0;
  console.log(`\n${counts.pass} passed, ${counts.fail} failed, ${counts.skipped} skipped`);
  process.exit(ok ? 0 : (code || 1));
});
