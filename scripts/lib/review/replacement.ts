/**
 * The committed table of replacement-forcing arguments (data/replacement-arguments.json, rebuilt by
 * scripts/convert-force-new.ts from the providers' schemas) and the lookup the change report classifies with.
 */
import { join } from "node:path";
import tableJson from "./data/replacement-arguments.json";

export const REPLACEMENT_TABLE_PATH = join(__dirname, "data", "replacement-arguments.json");

export interface ReplacementEntry {
  /** Argument paths (nested blocks dotted: `vpc_config.subnet_ids`) whose change always forces replacement. */
  readonly forceNew: readonly string[];
  /** Argument paths whose change forces replacement only under a condition the provider computes. */
  readonly conditional?: readonly string[];
}

export interface ReplacementTable {
  /** Where the facts come from (provider versions). */
  readonly source: string;
  readonly types: Record<string, ReplacementEntry>;
}

export const REPLACEMENT_TABLE = tableJson as ReplacementTable;

export type Forcing = "always" | "conditional" | "never";

/** `vpc_config[0].subnet_ids` / `vpc_config.subnet_ids` -> `vpc_config.subnet_ids` (keys of named lists dropped). */
export function schemaPath(path: readonly (string | number)[]): string {
  return path.filter((segment) => typeof segment === "string" && !segment.startsWith("[")).join(".");
}

/** Whether changing `path` (a schema path) of a `type` forces replacement; undefined when the type is not in the table. */
export function forcing(type: string, path: string, table: ReplacementTable = REPLACEMENT_TABLE): Forcing | undefined {
  const entry = table.types[type];
  if (!entry) return undefined;
  const covers = (argument: string) => path === argument || path.startsWith(`${argument}.`);
  if (entry.forceNew.some(covers)) return "always";
  if ((entry.conditional ?? []).some(covers)) return "conditional";
  return "never";
}
