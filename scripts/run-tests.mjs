// Runs every compiled test file under dist/test with Node's built-in runner.
// Node 20 takes directories, not globs; the spec reporter's closing "ℹ pass N / ℹ fail N"
// lines are what CI reads, and we add the plain "N passed, N failed" line too.
import { spawn } from "node:child_process";

const args = ["--test", "--test-reporter=spec", "--test-concurrency=2", ...process.argv.slice(2)];
if (process.argv.length <= 2) args.push("dist/test/");
let passed = 0, failed = 0, skipped = 0;
const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
let tail = "";
child.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4000);
});
child.on("close", (code) => {
  const grab = (label) => Number(tail.match(new RegExp(`ℹ ${label} (\\d+)`))?.[1] ?? 0);
  passed = grab("pass"); failed = grab("fail"); skipped = grab("skipped");
  console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(code ?? 1);
});
