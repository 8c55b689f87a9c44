/**
 * `npm run workflows`: writes .github/workflows/*.yml from configuration (see scripts/lib/workflows.ts).
 * Run it after adding an environment or a tenant; a test fails while the committed files are stale.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../config/loader";
import { readRuntimeOptions } from "../config/runtime-options";
import { renderWorkflows } from "./lib/workflows";

export const WORKFLOW_DIR = join(__dirname, "..", ".github", "workflows");

if (require.main === module) {
  const config = loadConfig(readRuntimeOptions(process.env, join(__dirname, "..", "config")).configDir);
  mkdirSync(WORKFLOW_DIR, { recursive: true });
  for (const [file, content] of Object.entries(renderWorkflows(config))) {
    writeFileSync(join(WORKFLOW_DIR, file), content);
    process.stdout.write(`wrote .github/workflows/${file}\n`);
  }
}
