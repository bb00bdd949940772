// Runs every compiled test file under dist/test with Node's built-in runner.
// Node 20 takes directories, not globs. The spec reporter's "ℹ pass N / ℹ fail N" lines are what
// CI reads; we also print the plain "N passed, N failed" line last, since the spec reporter lists
// failure details after its own summary.
import { spawn } from "node:child_process";

// A test that hangs fails after 2 minutes; a file whose tests are done exits even if a timer leaked
// (--test-force-exit); and the watchdog below is the last resort, so a hang never eats CI's 90 minutes.
const args = ["--test", "--test-reporter=spec", "--test-concurrency=2", "--test-timeout=120000", "--test-force-exit", ...process.argv.slice(2)];
const WATCHDOG_MS = 30 * 60 * 1000;
if (process.argv.length <= 2) args.push("dist/test/");
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
  console.log(`\n${counts.pass} passed, ${counts.fail} failed, ${counts.skipped} skipped`);
  process.exit(code ?? 1);
});
