/**
 * Files of this repository generated from code by `npm run schema:export`: the configuration JSON Schemas (from the
 * zod schemas), the policy rule ids the loader checks suppressions against (from the rule catalog) and the README's
 * section on the variables injected into workloads (from their declarations). A test fails when one is stale.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { renderJsonSchemas, SCHEMA_DIRECTORY } from "../../config/json-schema";
import { withInjectedVariables } from "../../config/schema/injected-env";
import { renderRuleIds, RULE_IDS_FILE } from "./rule-ids";

export const REPOSITORY = join(__dirname, "..", "..");

/** Repository-relative path -> generated content (given the files as they are now, for sections inside a file). */
export function generatedFiles(read: (path: string) => string = (path) => readFileSync(join(REPOSITORY, path), "utf8")): Map<string, string> {
  const files = new Map<string, string>();
  for (const [file, content] of Object.entries(renderJsonSchemas())) files.set(`config/${SCHEMA_DIRECTORY}/${file}`, content);
  files.set(RULE_IDS_FILE, renderRuleIds());
  files.set("README.md", withInjectedVariables(read("README.md")));
  return files;
}
