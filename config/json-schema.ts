/**
 * JSON Schema of the configuration files, for editor validation (the YAML files reference it with a
 * `yaml-language-server: $schema=` comment). Generated from the zod schemas, so it cannot drift from them:
 * a test fails when the committed files differ from what this produces (`npm run schema:export` updates them).
 *
 * The zod schemas describe the merged configuration; a file may omit every key its profile defaults provide,
 * so those keys are dropped from `required` here.
 */
import { z } from "zod";
import { derivedDefaults, PROFILE_DEFAULTS } from "./defaults";
import { layer } from "./layering";
import { EnvironmentSchema, PROFILES } from "./schema/environment";
import { ProjectSchema } from "./schema/project";
import { ProductFileSchema } from "./schema/products";
import { SuppressionsFileSchema } from "./schema/policy";
import { TenantSchema } from "./schema/tenant";
import { POLICY_RULES } from "../constructs/policy/rule-ids";

type JsonSchema = { properties?: Record<string, JsonSchema>; required?: string[]; [key: string]: unknown };

/** Removes from `required` every key that `defaults` provides, recursively. */
function relaxDefaulted(schema: JsonSchema, defaults: unknown): void {
  if (defaults === null || typeof defaults !== "object" || Array.isArray(defaults) || !schema.properties) return;
  const provided = Object.keys(defaults);
  if (schema.required) {
    schema.required = schema.required.filter((key) => !provided.includes(key));
    if (schema.required.length === 0) delete schema.required;
  }
  for (const key of provided) {
    const child = schema.properties[key];
    if (child) relaxDefaulted(child, (defaults as Record<string, unknown>)[key]);
  }
}

/** Rule ids of the suppressions schema, each with its title and severity (editors offer them as completions). */
function withRuleIds(schema: JsonSchema): JsonSchema {
  const items = schema.properties?.suppressions?.items as JsonSchema | undefined;
  const rule = items?.properties?.rule;
  if (rule) {
    rule.anyOf = Object.entries(POLICY_RULES).map(([id, { severity, title }]) => ({ const: id, description: `${title} (${severity})` }));
  }
  return schema;
}

/** The JSON Schema file of each kind of configuration file, by file name. */
export const JSON_SCHEMA_FILES = {
  "project.schema.json": () => z.toJSONSchema(ProjectSchema, { io: "input", unrepresentable: "any" }) as JsonSchema,
  "tenant.schema.json": () => z.toJSONSchema(TenantSchema, { io: "input", unrepresentable: "any" }) as JsonSchema,
  "product.schema.json": () => z.toJSONSchema(ProductFileSchema, { io: "input", unrepresentable: "any" }) as JsonSchema,
  "suppressions.schema.json": () => withRuleIds(z.toJSONSchema(SuppressionsFileSchema, { io: "input", unrepresentable: "any" }) as JsonSchema),
  "environment.schema.json": () => {
    const schema = z.toJSONSchema(EnvironmentSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
    // Keys that every profile provides by default are optional in a file.
    const everyProfile = PROFILES.map((profile) => layer(PROFILE_DEFAULTS[profile], derivedDefaults("x")) as Record<string, unknown>);
    const common = intersectKeys(everyProfile);
    relaxDefaulted(schema, common);
    return schema;
  },
} as const;

/** Deep intersection of the keys present in every object (values taken from the first). */
function intersectKeys(objects: readonly Record<string, unknown>[]): Record<string, unknown> {
  const [first, ...rest] = objects;
  if (!first) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(first)) {
    if (!rest.every((other) => key in other)) continue;
    const isObject = value !== null && typeof value === "object" && !Array.isArray(value);
    out[key] = isObject ? intersectKeys([value as Record<string, unknown>, ...rest.map((other) => other[key] as Record<string, unknown>)]) : value;
  }
  return out;
}

/** Where the schemas live inside a configuration directory (the bundled one and an operator's alike). */
export const SCHEMA_DIRECTORY = "schema/json";

/**
 * Schema file of each kind of configuration file, by the file's path inside the configuration directory (a pattern
 * over `/`-separated relative paths), and the `$schema` modeline the file carries. Modelines are relative, so they
 * work in any configuration directory that holds the schemas in `schema/json/` (`npm run schema:export -- --config-dir`).
 */
export const SCHEMA_OF_FILE: readonly { readonly pattern: RegExp; readonly schema: keyof typeof JSON_SCHEMA_FILES }[] = [
  { pattern: /^project\.ya?ml$/, schema: "project.schema.json" },
  { pattern: /^environments\/[^/]+\.ya?ml$/, schema: "environment.schema.json" },
  { pattern: /^products\/[^/]+\.ya?ml$/, schema: "product.schema.json" },
  { pattern: /^tenants\/[^/]+\.ya?ml$/, schema: "tenant.schema.json" },
  { pattern: /^policy\/suppressions\.ya?ml$/, schema: "suppressions.schema.json" },
];

/** The modeline of a configuration file at `relativePath` (e.g. `environments/prod.yaml`), or undefined. */
export function schemaModeline(relativePath: string): string | undefined {
  const entry = SCHEMA_OF_FILE.find(({ pattern }) => pattern.test(relativePath));
  if (!entry) return undefined;
  const depth = relativePath.split("/").length - 1;
  const up = depth === 0 ? "./" : "../".repeat(depth);
  return `# yaml-language-server: $schema=${up}${SCHEMA_DIRECTORY}/${entry.schema}`;
}

/** `text` with its first line set to `modeline` (replacing an existing `$schema` modeline, else inserted). */
export function withModeline(text: string, modeline: string): string {
  const [first = "", ...rest] = text.split("\n");
  if (/^#\s*yaml-language-server:\s*\$schema=/.test(first)) return first === modeline ? text : [modeline, ...rest].join("\n");
  return `${modeline}\n${text}`;
}

/** The JSON Schema files' contents, as committed (2-space JSON with a trailing newline). */
export function renderJsonSchemas(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(JSON_SCHEMA_FILES).map(([file, build]) => [file, `${JSON.stringify(build(), null, 2)}\n`]),
  );
}
