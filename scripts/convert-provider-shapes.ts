/**
 * `npm run provider:shapes [-- --check]`: rebuilds constructs/core/provider-shapes.json, the conversions of the
 * provider bindings that constructs/core/shaped-resource.ts replays, from the generated bindings in node_modules
 * (scripts/lib/provider-shapes.ts). Run it after upgrading @cdktf/provider-kubernetes; `--check` exits 1 when the
 * committed table differs from the installed bindings (the test suite runs the same comparison).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { shapeTableText } from "./lib/provider-shapes";

const ROOT = join(__dirname, "..");
const SHAPES_PATH = join(ROOT, "constructs", "core", "provider-shapes.json");

const options = new Command("provider:shapes").option("--check", "compare with the committed table instead of writing it").parse().opts<{ check?: boolean }>();
const text = shapeTableText(join(ROOT, "node_modules"));
if (options.check) {
  if (readFileSync(SHAPES_PATH, "utf8") !== text) {
    process.stderr.write(`${SHAPES_PATH} differs from the installed bindings; run npm run provider:shapes\n`);
    process.exit(1);
  }
  process.stdout.write("provider-shapes.json matches the installed bindings\n");
} else {
  writeFileSync(SHAPES_PATH, text);
  process.stdout.write(`wrote ${SHAPES_PATH} (${text.length} bytes)\n`);
}
