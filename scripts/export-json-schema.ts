/**
 * Writes config/schema/json/*.schema.json from the zod schemas (`npm run schema:export`).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderJsonSchemas } from "../config/json-schema";

const directory = join(__dirname, "..", "config", "schema", "json");
mkdirSync(directory, { recursive: true });
for (const [file, content] of Object.entries(renderJsonSchemas())) {
  writeFileSync(join(directory, file), content);
  process.stdout.write(`wrote ${join("config", "schema", "json", file)}\n`);
}
