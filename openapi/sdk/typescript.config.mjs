// @hey-api/openapi-ts 0.95.0 config for `make sdk` (output: build/sdk/typescript, never committed).
// `make sdk` runs it from openapi/tools; paths are computed from this file, so any working directory works.
// A plain object rather than defineConfig(): this file lives outside openapi/tools, where Node
// cannot resolve "@hey-api/openapi-ts" (defineConfig only returns its argument anyway).
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "..", "..");

// Relative to the working directory and always starting with "./" or "../": a bare "a/b" would be
// read as a Hey API registry shorthand ("organization/project") and fetched from the network.
const fromCwd = (target) => {
  const relative = path.relative(process.cwd(), target);
  return relative.startsWith("../") ? relative : `./${relative}`;
};

/** @type {import("@hey-api/openapi-ts").UserConfig} */
export default {
  input: fromCwd(path.join(repoRoot, "openapi", "openapi.yaml")),
  output: { path: fromCwd(path.join(repoRoot, "build", "sdk", "typescript")) },
  plugins: [
    "@hey-api/typescript",
    "@hey-api/sdk",
    // No base URL baked in from `servers`: callers set it with client.setConfig({ baseUrl }).
    { name: "@hey-api/client-fetch", baseUrl: false },
  ],
};
