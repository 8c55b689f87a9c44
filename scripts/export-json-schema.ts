/**
 * `npm run schema:export`: regenerates what this repository generates from code (scripts/lib/generated.ts): the
 * configuration JSON Schemas in config/schema/json/, the policy rule ids and the README's injected-variables section.
 *
 * `npm run schema:export -- --config-dir <dir>` sets up editor validation in an operator's configuration directory:
 * it writes the JSON Schemas into `<dir>/schema/json/` and gives every configuration file of `<dir>` the `$schema`
 * modeline of its kind (project, environment, product, tenant, suppressions), relative to the file, exactly as the
 * bundled files carry them. Run it again after upgrading the platform (the schemas follow the code).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { Command } from "commander";
import { renderJsonSchemas, schemaModeline, SCHEMA_DIRECTORY, withModeline } from "../config/json-schema";
import { generatedFiles, REPOSITORY } from "./lib/generated";

function writeIfChanged(path: string, content: string): boolean {
  if (existsSync(path) && readFileSync(path, "utf8") === content) return false;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return true;
}

/** Configuration files of a directory (relative paths), without descending into the schema directory. */
function yamlFiles(directory: string, prefix = ""): string[] {
  return readdirSync(join(directory, prefix)).flatMap((name) => {
    const path = prefix === "" ? name : `${prefix}/${name}`;
    if (path === "schema" || name === "node_modules" || name.startsWith(".")) return [];
    if (statSync(join(directory, path)).isDirectory()) return yamlFiles(directory, path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** Writes the schemas into `directory` and sets the modelines of its files; returns the paths changed. */
export function exportIntoConfigDirectory(directory: string): string[] {
  const changed: string[] = [];
  for (const [file, content] of Object.entries(renderJsonSchemas())) {
    if (writeIfChanged(join(directory, SCHEMA_DIRECTORY, file), content)) changed.push(`${SCHEMA_DIRECTORY}/${file}`);
  }
  for (const file of yamlFiles(directory)) {
    const modeline = schemaModeline(file);
    if (!modeline) continue;
    const path = join(directory, file);
    if (writeIfChanged(path, withModeline(readFileSync(path, "utf8"), modeline))) changed.push(file);
  }
  return changed;
}

if (require.main === module) {
  const options = new Command()
    .name("schema:export")
    .option("--config-dir <dir>", "write the schemas into this configuration directory and set its files' $schema modelines")
    .parse()
    .opts<{ configDir?: string }>();
  if (options.configDir) {
    if (!existsSync(options.configDir) || !statSync(options.configDir).isDirectory()) {
      process.stderr.write(`${options.configDir}: no such configuration directory\n`);
      process.exit(1);
    }
    const changed = exportIntoConfigDirectory(options.configDir);
    process.stdout.write(changed.length === 0 ? `${options.configDir}: schemas and modelines are up to date\n` : changed.map((file) => `wrote ${join(options.configDir as string, file)}\n`).join(""));
  } else {
    for (const [file, content] of generatedFiles()) {
      if (writeIfChanged(join(REPOSITORY, file), content)) process.stdout.write(`wrote ${relative(process.cwd(), join(REPOSITORY, file)) || file}\n`);
    }
  }
}
