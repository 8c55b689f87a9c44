/**
 * Runs a zod schema over one file's (layered) data and turns every zod issue into a ConfigIssue that names the
 * file, key path, value found and what is allowed.
 */
import { z } from "zod";
import type { ConfigIssue, ConfigPath } from "./errors";
import type { SourceFile } from "./source";

interface ZodDefLike {
  type: string;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  element?: z.core.$ZodType;
  valueType?: z.core.$ZodType;
  shape?: Record<string, z.core.$ZodType>;
}

function defOf(schema: z.core.$ZodType): ZodDefLike {
  // zod 4 exposes schema internals (its definition) only through `_zod`.
  // oxlint-disable-next-line no-underscore-dangle
  return schema._zod.def as unknown as ZodDefLike;
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  const def = defOf(schema);
  if (["optional", "default", "prefault", "nullable", "readonly", "catch", "nonoptional"].includes(def.type) && def.innerType) {
    return unwrap(def.innerType);
  }
  if (def.type === "pipe" && def.in) return unwrap(def.in);
  return schema;
}

/** The keys an object schema accepts at `path`, for "allowed keys" hints. */
export function allowedKeysAt(schema: z.core.$ZodType, path: ConfigPath): string[] | undefined {
  let current = unwrap(schema);
  for (const segment of path) {
    const def = defOf(current);
    if (def.type === "object" && def.shape && typeof segment === "string" && def.shape[segment]) {
      current = unwrap(def.shape[segment]);
    } else if (def.type === "array" && def.element && typeof segment === "number") {
      current = unwrap(def.element);
    } else if (def.type === "record" && def.valueType) {
      current = unwrap(def.valueType);
    } else {
      return undefined;
    }
  }
  const def = defOf(current);
  return def.type === "object" && def.shape ? Object.keys(def.shape).sort() : undefined;
}

function valueAt(data: unknown, path: ConfigPath): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** Builds a ConfigIssue at `path` of `source`, with the position of the key when the file has it. */
export function issueAt(source: SourceFile, path: ConfigPath, message: string, value?: unknown, hasValue = true): ConfigIssue {
  const position = source.locate(path);
  return {
    file: source.file,
    path,
    message,
    ...(position ? { line: position.line, column: position.column } : {}),
    ...(hasValue ? { value } : {}),
  };
}

function toPath(path: readonly PropertyKey[]): (string | number)[] {
  return path.map((segment) => (typeof segment === "number" ? segment : String(segment)));
}

/**
 * Validates `data` (already layered) against `schema`. Returns the parsed value, or undefined after pushing one
 * issue per problem.
 */
export function validateWith<S extends z.ZodType>(
  schema: S,
  data: unknown,
  source: SourceFile,
  issues: ConfigIssue[],
): z.output<S> | undefined {
  const result = schema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const path = toPath(issue.path);
    if (issue.code === "unrecognized_keys") {
      const allowed = allowedKeysAt(schema, path);
      for (const key of issue.keys) {
        const hint = allowed ? `allowed keys here: ${allowed.join(", ")}` : "remove it";
        issues.push(issueAt(source, [...path, key], `unknown key "${key}"; ${hint}`, valueAt(data, [...path, key])));
      }
      continue;
    }
    const input = "input" in issue ? issue.input : valueAt(data, path);
    if (issue.code === "invalid_type" && input === undefined) {
      issues.push(issueAt(source, path, `required key is missing (expected ${issue.expected})`, undefined, true));
      continue;
    }
    issues.push(issueAt(source, path, issue.message, input));
  }
  return undefined;
}
