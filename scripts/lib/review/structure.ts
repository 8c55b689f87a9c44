/**
 * Structural comparison of resource arguments, by key path:
 * - embedded documents are parsed first (a JSON object/array string, a YAML mapping string, Helm `values`
 *   documents merged as Helm merges them), so a change reads `values: prometheus.prometheusSpec.retention`;
 * - lists of named items (`name`, `id`, `sid`, `key`, ...) are matched by that name, lists of distinct scalars as
 *   sets, so inserting one item is one change, not a change at every later index;
 * - long or multi-line strings get a line diff.
 *
 * The comparison itself is microdiff (small, zero-dependency, path arrays out, handles every JSON shape); line
 * diffs are jsdiff (`diff`), the de-facto text diff for JavaScript. Both are libraries rather than hand-written
 * comparison, and both are cheap enough to run over every changed resource of a thousand-tenant change.
 */
import microdiff from "microdiff";
import { structuredPatch } from "diff";
import { parse as parseYaml } from "yaml";

/** A path segment: an argument or key, `[name=x]` for a named list item, `{yaml}` / `{json}` for an embedded document. */
export type Segment = string | number;

export interface ValueChange {
  readonly path: readonly Segment[];
  readonly kind: "added" | "removed" | "changed";
  readonly before: unknown;
  readonly after: unknown;
}

const NAME_KEYS = ["name", "id", "sid", "Sid", "key", "uid", "type", "port", "path"] as const;
const EMBEDDED_MIN_LENGTH = 2;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The key that names every item of a list of objects uniquely, if any. */
function namingKey(items: readonly unknown[]): string | undefined {
  if (items.length === 0 || !items.every(isObject)) return undefined;
  const objects = items as Record<string, unknown>[];
  // A single block (`ebs_options`) is keyed only by an identity (`name`, `sid`), never by a setting like `type`.
  const keys = items.length === 1 ? NAME_KEYS.filter((key) => ["name", "id", "sid", "Sid"].includes(key)) : NAME_KEYS;
  return keys.find((key) => {
    const values = objects.map((item) => item[key]);
    return values.every((value) => typeof value === "string" || typeof value === "number") && new Set(values).size === values.length;
  });
}

/** Parses a string that holds a document (JSON object/array, or a YAML mapping) — undefined otherwise. */
export function embeddedDocument(text: string): { format: "json" | "yaml"; value: unknown } | undefined {
  const trimmed = text.trim();
  if (trimmed.length < EMBEDDED_MIN_LENGTH || trimmed.startsWith("${")) return undefined;
  if ((trimmed.startsWith("{") && trimmed.endsWith("}")) || (trimmed.startsWith("[") && trimmed.endsWith("]"))) {
    try {
      return { format: "json", value: JSON.parse(trimmed) as unknown };
    } catch {
      // not JSON: maybe YAML flow style
    }
  }
  if (!trimmed.includes("\n") && !trimmed.startsWith("{")) return undefined;
  try {
    const value = parseYaml(trimmed, { strict: false, uniqueKeys: false }) as unknown;
    return isObject(value) || (Array.isArray(value) && value.some(isObject)) ? { format: "yaml", value } : undefined;
  } catch {
    return undefined;
  }
}

/** Helm merges values files in order: maps key by key, anything else replaced by the later file. */
function merge(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = merge(base[key], value);
  return out;
}

export function mergeHelmValues(documents: readonly unknown[]): unknown {
  return documents.reduce<unknown>((merged, document) => merge(merged, document), {});
}

/** The comparable form of a value (see the module comment). */
export function normalize(value: unknown): unknown {
  if (typeof value === "string") {
    const document = embeddedDocument(value);
    return document ? { [`{${document.format}}`]: normalize(document.value) } : value;
  }
  if (Array.isArray(value)) {
    const key = namingKey(value);
    if (key) return Object.fromEntries(value.map((item) => [`[${key}=${String((item as Record<string, unknown>)[key])}]`, normalize(item)]));
    if (value.length > 0 && value.every((item) => typeof item === "string" || typeof item === "number") && new Set(value).size === value.length) {
      return { "[set]": Object.fromEntries(value.map((item) => [`[${String(item)}]`, true])), "[order]": value.join("\u0000") };
    }
    return value.map(normalize);
  }
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).filter(([key]) => key !== "//").map(([key, child]) => [key, normalize(child)]));
  }
  return value;
}

/** A resource body in comparable form: Helm `values` documents merged. */
export function normalizeBody(type: string, body: Record<string, unknown>): Record<string, unknown> {
  const out = normalize(body) as Record<string, unknown>;
  if (type === "helm_release" && Array.isArray(body.values)) {
    const documents = body.values.map((item) => (typeof item === "string" ? (embeddedDocument(item)?.value ?? item) : item));
    out.values = { "{yaml}": normalize(mergeHelmValues(documents)) };
  }
  return out;
}

/** Changes between two comparable forms, at leaf level (set membership and list order reported once). */
export function structuralChanges(before: unknown, after: unknown): ValueChange[] {
  if (!isObject(before) || !isObject(after)) {
    return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path: [], kind: "changed", before, after }];
  }
  const changes: ValueChange[] = [];
  for (const change of microdiff(before, after)) {
    const path = change.path;
    const last = path[path.length - 1];
    if (last === "[order]") {
      // Only reported when the members are the same (a membership change is reported per member).
      const parent = path.slice(0, -1);
      const members = (root: unknown) => JSON.stringify(Object.keys((dig(root, [...parent, "[set]"]) ?? {}) as object).sort());
      if (members(before) === members(after)) changes.push({ path: parent, kind: "changed", before: "(order)", after: "(reordered)" });
      continue;
    }
    if (change.type === "CREATE") changes.push({ path, kind: "added", before: undefined, after: change.value });
    else if (change.type === "REMOVE") changes.push({ path, kind: "removed", before: change.oldValue, after: undefined });
    else changes.push({ path, kind: "changed", before: change.oldValue, after: change.value });
  }
  return changes;
}

export function dig(value: unknown, path: readonly Segment[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** The provider schema path of a change: embedded documents and list keys dropped (`vpc_config.subnet_ids`). */
export function argumentPath(path: readonly Segment[]): string {
  const out: string[] = [];
  for (const segment of path) {
    if (typeof segment === "number") continue;
    if (segment.startsWith("{")) break;
    if (segment.startsWith("[")) continue;
    out.push(segment);
  }
  return out.join(".");
}

/** `values: prometheus.prometheusSpec.retention`, `statement[sid=Read].actions[s3:GetObject]`. */
export function displayPath(path: readonly Segment[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (segment === "[set]") continue;
    else if (segment.startsWith("{")) out += ":";
    else if (segment.startsWith("[")) out += segment;
    else out += out === "" || out.endsWith(":") ? (out.endsWith(":") ? ` ${segment}` : segment) : `.${segment}`;
  }
  return out;
}

/** The value of a leaf as written in the configuration (set members `true` become the member itself). */
export function denormalize(value: unknown): unknown {
  if (isObject(value)) {
    if ("[set]" in value && isObject(value["[set]"])) return Object.keys(value["[set]"]).map((key) => key.slice(1, -1));
    const embedded = Object.keys(value).find((key) => key.startsWith("{"));
    if (embedded && Object.keys(value).length === 1) return denormalize(value[embedded]);
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key.startsWith("[") && key.includes("=") ? key : key, denormalize(child)]));
  }
  if (Array.isArray(value)) return value.map(denormalize);
  return value;
}

/** Whether a value is best shown as a line diff (long or multi-line text on both sides). */
export function isLongText(before: unknown, after: unknown, width: number): boolean {
  return typeof before === "string" && typeof after === "string" && (before.includes("\n") || after.includes("\n") || Math.max(before.length, after.length) > width);
}

/** A unified line diff of two texts (hunks only), at most `maxLines` lines. */
/** Single-line text is split at separators so a long list or policy still diffs line by line. */
function splitLines(text: string): string {
  return text.includes("\n") ? text : text.replace(/([,;]) ?/g, "$1\n");
}

export function lineDiff(before: string, after: string, maxLines = 40): string {
  const patch = structuredPatch("before", "after", `${splitLines(before)}\n`, `${splitLines(after)}\n`, "", "", { context: 2 });
  const lines = patch.hunks.flatMap((hunk) => [`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`, ...hunk.lines]);
  return [...lines.slice(0, maxLines), ...(lines.length > maxLines ? [`… ${lines.length - maxLines} more lines`] : [])].join("\n");
}
