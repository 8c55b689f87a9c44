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
import { TenantSchema } from "./schema/tenant";

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

export const JSON_SCHEMA_FILES = {
  "project.schema.json": () => z.toJSONSchema(ProjectSchema, { io: "input", unrepresentable: "any" }) as JsonSchema,
  "tenant.schema.json": () => z.toJSONSchema(TenantSchema, { io: "input", unrepresentable: "any" }) as JsonSchema,
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

/** The JSON Schema files' contents, as committed (2-space JSON with a trailing newline). */
export function renderJsonSchemas(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(JSON_SCHEMA_FILES).map(([file, build]) => [file, `${JSON.stringify(build(), null, 2)}\n`]),
  );
}
