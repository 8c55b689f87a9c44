/**
 * Facts about a Helm chart's values: which keys exist, derived from the chart's own default `values.yaml` and,
 * where the chart ships one, its `values.schema.json`. Used by `scripts/convert-upstream-charts.ts` (to commit
 * facts for pinned upstream charts under `charts/upstream/`) and by `charts/values-check.ts` (for the local
 * charts under `charts/local/`, whose facts are derived on the fly).
 *
 * The facts are a tree. Every node is one of:
 * - a map of known keys (`{ "image": {...}, "replicas": "leaf" }`): a key not listed is unknown;
 * - `"leaf"`: a scalar; nothing may be nested below it;
 * - `"list"`: a list; its items are not checked (their shape is not in the defaults, and Helm replaces a list
 *   whole, so the item content is the chart template's business);
 * - `"open"`: a free-form map, any key below it is accepted. Open nodes are:
 *     - empty maps in the defaults (`podAnnotations: {}`, `resources: {}`) and keys whose default is `null`;
 *     - keys named in FREE_FORM_KEYS whose default is a map, even a non-empty one (`nodeSelector:
 *       {kubernetes.io/os: linux}`): user-keyed maps (annotations, labels, node selectors, extra arguments)
 *       have no fixed key set, and Kubernetes-object maps (resources, affinity, security contexts) are checked
 *       by the API server's OpenAPI validation when Helm installs the release;
 *     - schema objects without `properties` (a dictionary), or whose `additionalProperties` is a schema;
 *     - subcharts the chart depends on but whose facts are not available.
 *
 * Schema objects that list `properties` are closed here even when the schema allows additional properties:
 * Helm accepts (and silently ignores) such keys, which is exactly the mistake this check exists to catch.
 */

/** A node of the values facts tree. */
export type ValuesNode = "leaf" | "list" | "open" | ValuesMap;
export interface ValuesMap {
  readonly [key: string]: ValuesNode;
}

/**
 * Keys whose map value is free-form wherever they appear (see the module comment). Chosen by name, because the
 * defaults of a user-keyed map are examples, not the set of allowed keys.
 */
export const FREE_FORM_KEYS: readonly string[] = [
  "annotations",
  "labels",
  "podAnnotations",
  "podLabels",
  "commonLabels",
  "additionalLabels",
  "extraLabels",
  "matchLabels",
  "nodeSelector",
  "extraArgs",
  "resources",
  "affinity",
  "securityContext",
  "podSecurityContext",
  "containerSecurityContext",
  "dnsConfig",
];

/** The subset of JSON Schema the facts builder understands. */
export interface JsonSchema {
  readonly $ref?: string;
  readonly $defs?: Record<string, JsonSchema>;
  readonly definitions?: Record<string, JsonSchema>;
  readonly type?: string | readonly string[];
  readonly properties?: Record<string, JsonSchema>;
  readonly additionalProperties?: boolean | JsonSchema;
  readonly patternProperties?: Record<string, JsonSchema>;
  readonly items?: JsonSchema | readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
}

/** A schema node as the merge sees it: `unknown` when the schema says nothing about the shape. */
type SchemaShape = ValuesNode | "unknown";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Facts of a defaults tree (`values.yaml` parsed). */
export function nodeFromDefaults(value: unknown, key?: string): ValuesNode {
  if (value === null || value === undefined) return "open";
  if (Array.isArray(value)) return "list";
  if (!isPlainObject(value)) return "leaf";
  if (Object.keys(value).length === 0) return "open";
  if (key !== undefined && FREE_FORM_KEYS.includes(key)) return "open";
  const children: Record<string, ValuesNode> = {};
  for (const [childKey, child] of Object.entries(value)) children[childKey] = nodeFromDefaults(child, childKey);
  return children;
}

function resolveRef(root: JsonSchema, ref: string): JsonSchema {
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  const table = match?.[1] === "$defs" ? root.$defs : root.definitions;
  const target = match ? table?.[decodeURIComponent(match[2] ?? "")] : undefined;
  if (!target) throw new Error(`values.schema.json: cannot resolve $ref "${ref}" (only local #/$defs and #/definitions refs are supported)`);
  return target;
}

/** Flattens $ref and allOf/anyOf/oneOf into one schema with merged properties and types. */
function flatten(root: JsonSchema, schema: JsonSchema, seen: ReadonlySet<string> = new Set()): JsonSchema {
  if (schema.$ref) {
    if (seen.has(schema.$ref)) return {};
    const { $ref, ...rest } = schema;
    return flatten(root, merged(resolveRef(root, $ref), rest), new Set([...seen, $ref]));
  }
  const branches = [...(schema.allOf ?? []), ...(schema.anyOf ?? []), ...(schema.oneOf ?? [])];
  if (branches.length === 0) return schema;
  const { allOf: _allOf, anyOf: _anyOf, oneOf: _oneOf, ...rest } = schema;
  return branches.reduce<JsonSchema>((acc, branch) => merged(acc, flatten(root, branch, seen)), rest);
}

function typesOf(schema: JsonSchema): string[] {
  if (schema.type === undefined) return [];
  return typeof schema.type === "string" ? [schema.type] : [...schema.type];
}

function merged(a: JsonSchema, b: JsonSchema): JsonSchema {
  const types = [...new Set([...typesOf(a), ...typesOf(b)])];
  const properties = a.properties || b.properties ? { ...a.properties, ...b.properties } : undefined;
  return {
    ...a,
    ...b,
    ...(types.length > 0 ? { type: types } : {}),
    ...(properties ? { properties } : {}),
  };
}

/** Facts of a JSON schema node. */
export function nodeFromSchema(root: JsonSchema, input: JsonSchema): SchemaShape {
  const schema = flatten(root, input);
  const types = typesOf(schema);
  const properties = schema.properties ?? {};
  const hasProperties = Object.keys(properties).length > 0;
  if (hasProperties && (types.length === 0 || types.includes("object"))) {
    if (isPlainObject(schema.additionalProperties)) return "open";
    const children: Record<string, SchemaShape> = {};
    for (const [key, child] of Object.entries(properties)) children[key] = nodeFromSchema(root, child);
    return children as ValuesMap;
  }
  if (types.includes("object") || schema.patternProperties) return "open";
  if (types.includes("array")) return "list";
  if (types.length > 0) return types.includes("null") && types.length === 1 ? "open" : "leaf";
  return "unknown";
}

/** Merges defaults-derived and schema-derived facts (see the module comment for precedence). */
export function mergeNodes(fromDefaults: ValuesNode | undefined, fromSchema: SchemaShape | undefined): ValuesNode {
  if (fromSchema === undefined || fromSchema === "unknown") return fromDefaults ?? "open";
  if (fromDefaults === undefined) return stripUnknown(fromSchema);
  if (typeof fromSchema === "object") {
    const defaultsChildren = typeof fromDefaults === "object" ? fromDefaults : {};
    const keys = new Set([...Object.keys(defaultsChildren), ...Object.keys(fromSchema)]);
    const children: Record<string, ValuesNode> = {};
    for (const key of [...keys].sort()) {
      children[key] = mergeNodes(defaultsChildren[key], (fromSchema as Record<string, SchemaShape>)[key]);
    }
    return children;
  }
  if (fromSchema === "open" || fromSchema === "list") return fromSchema;
  // The schema says scalar; a map in the defaults is more specific (schemas of charts are sometimes loose).
  return typeof fromDefaults === "object" ? fromDefaults : "leaf";
}

function stripUnknown(node: SchemaShape): ValuesNode {
  if (node === "unknown") return "open";
  if (typeof node !== "object") return node;
  const children: Record<string, ValuesNode> = {};
  for (const [key, child] of Object.entries(node as Record<string, SchemaShape>)) children[key] = stripUnknown(child);
  return children;
}

/** Facts of a chart: its defaults (and schema) merged; subcharts grafted under their keys. */
export function chartValuesFacts(defaults: unknown, schema?: JsonSchema, subcharts: Readonly<Record<string, ValuesNode>> = {}): ValuesMap {
  const fromDefaults = isPlainObject(defaults) ? nodeFromDefaults(defaults) : {};
  const fromSchema = schema ? nodeFromSchema(schema, schema) : undefined;
  const root = mergeNodes(fromDefaults === "open" ? {} : fromDefaults, fromSchema);
  const children: Record<string, ValuesNode> = typeof root === "object" ? { ...root } : {};
  for (const [key, subchart] of Object.entries(subcharts)) {
    // A subchart reads its values under its key; the parent's own defaults there add to the subchart's keys.
    children[key] = subchart === "open" ? "open" : unionNodes(subchart, children[key]);
  }
  return sortTree(children) as ValuesMap;
}

/** Union of a subchart's facts with what the parent chart declares under the subchart's key. */
function unionNodes(subchart: ValuesNode, parent: ValuesNode | undefined): ValuesNode {
  if (typeof subchart !== "object" || typeof parent !== "object") return subchart;
  const children: Record<string, ValuesNode> = { ...parent };
  for (const [key, child] of Object.entries(subchart)) children[key] = unionNodes(child, parent[key]);
  return children;
}

function sortTree(node: ValuesNode): ValuesNode {
  if (typeof node !== "object") return node;
  return Object.fromEntries(Object.keys(node).sort().map((key) => [key, sortTree(node[key] as ValuesNode)]));
}

/** Committed facts of one upstream chart release (`charts/upstream/<chart>/<version>.json`). */
export interface ChartFacts {
  readonly chart: string;
  readonly version: string;
  /** Where the defaults came from (the upstream MANIFEST row). */
  readonly source: {
    readonly repository: string;
    readonly path: string;
    readonly tag: string;
    readonly commit: string;
  };
  /** SHA-256 of the upstream files the facts were derived from. */
  readonly sha256: Readonly<Record<string, string>>;
  /** Dependencies whose facts were not available: their values keys are accepted unchecked. */
  readonly uncheckedSubcharts: readonly string[];
  readonly values: ValuesMap;
}
