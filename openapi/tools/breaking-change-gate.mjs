// Breaking-change check with api-smart-diff: node breaking-change-gate.mjs BASE.yaml HEAD.yaml
// Exit 1 on a breaking change, unless info.version's major number went up.
import { readFileSync } from "node:fs";
import { apiCompare } from "api-smart-diff";
import YAML from "yaml";

const [basePath, headPath] = process.argv.slice(2);
const load = (path) => YAML.parse(readFileSync(path, "utf8"));
const base = load(basePath);
const head = load(headPath);
const { diffs } = apiCompare(base, head);
const breaking = diffs.filter((diff) => diff.type === "breaking");
for (const diff of breaking) {
  console.log(`breaking  ${diff.action.padEnd(8)} ${diff.path.join("/")}  ${diff.description ?? ""}`);
}
const major = (doc) => Number(String(doc.info?.version ?? "0").split(".")[0]);
const bumped = major(head) > major(base);
console.log(`api-smart-diff: ${breaking.length} breaking of ${diffs.length} changes; info.version ${base.info?.version} -> ${head.info?.version}`);
process.exit(breaking.length && !bumped ? 1 : 0);
