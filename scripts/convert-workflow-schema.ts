/**
 * Converts the upstream GitHub workflow JSON schema (SchemaStore, kept unmodified in
 * `../shared/upstream/schemas/github-workflow.json`) into the project, so the workflow test never reads
 * `../shared`: facts only — documentation keywords (`description`, `markdownDescription`, `$comment`) are
 * dropped, every validation keyword is kept. The output records where it came from and the upstream file's
 * SHA-256.
 *
 *   npx tsx scripts/convert-workflow-schema.ts [upstream-file]
 *   (default: ../shared/upstream/schemas/github-workflow.json next to this repository)
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export const CONVERTED_SCHEMA = join(__dirname, "..", "test", "fixtures", "schemas", "github-workflow.json");
const DOCUMENTATION_KEYWORDS = new Set(["description", "markdownDescription", "$comment"]);
/** Keywords whose value maps names to schemas (a property may be called "description"). */
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "definitions", "$defs", "dependencies", "dependentSchemas"]);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Removes documentation keywords from a schema, leaving names inside schema maps untouched. */
export function stripDocumentation(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(stripDocumentation);
  if (schema === null || typeof schema !== "object") return schema;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DOCUMENTATION_KEYWORDS.has(key) && typeof value === "string") continue;
    if (key === "enum" || key === "const" || key === "examples" || key === "default" || key === "required") {
      out[key] = value;
    } else if (SCHEMA_MAPS.has(key) && value !== null && typeof value === "object" && !Array.isArray(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, stripDocumentation(child)]));
    } else {
      out[key] = stripDocumentation(value);
    }
  }
  return out;
}

function main(argv: string[]): void {
  const source = resolve(argv[0] ?? join(__dirname, "..", "..", "shared", "upstream", "schemas", "github-workflow.json"));
  const text = readFileSync(source, "utf8");
  const schema = stripDocumentation(JSON.parse(text) as Json) as { [key: string]: Json };
  const converted = {
    $comment: `Converted by scripts/convert-workflow-schema.ts from SchemaStore src/schemas/json/github-workflow.json (upstream sha256 ${createHash("sha256").update(text).digest("hex")}); documentation keywords removed.`,
    ...schema,
  };
  mkdirSync(dirname(CONVERTED_SCHEMA), { recursive: true });
  writeFileSync(CONVERTED_SCHEMA, `${JSON.stringify(converted, null, 1)}\n`);
  process.stdout.write(`wrote ${CONVERTED_SCHEMA}\n`);
}

if (require.main === module) main(process.argv.slice(2));
