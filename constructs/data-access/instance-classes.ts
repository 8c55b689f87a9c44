/**
 * Instance class tables: which families (and sizes) a managed engine offers. A class that is not in its engine's
 * table is rejected at synth with the list of allowed families, instead of failing an apply after minutes.
 */

/** Sizes in ascending order, used to express a family as a range ("large" to "16xlarge"). */
export const SIZES = [
  "micro", "small", "medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge", "48xlarge",
] as const;
export type Size = (typeof SIZES)[number];

/** Sizes from `from` to `to` inclusive, skipping sizes a family does not have. */
export function sizes(from: Size, to: Size, except: readonly Size[] = []): readonly Size[] {
  return SIZES.slice(SIZES.indexOf(from), SIZES.indexOf(to) + 1).filter((size) => !except.includes(size));
}

/** Family (e.g. "db.r6g") to the sizes it offers. */
export type InstanceClassTable = Readonly<Record<string, readonly Size[]>>;

/**
 * Problem with `value` against `table`, or undefined when it exists. The class is `<family>.<size>[<suffix>]`, e.g.
 * `db.r6g.2xlarge` or (suffix ".search") `r6g.large.search`.
 */
export function instanceClassProblem(value: string, table: InstanceClassTable, engine: string, suffix = ""): string | undefined {
  const families = Object.keys(table).sort();
  const bare = suffix && value.endsWith(suffix) ? value.slice(0, -suffix.length) : value;
  const dot = bare.lastIndexOf(".");
  const family = dot > 0 ? bare.slice(0, dot) : "";
  const size = bare.slice(dot + 1);
  const known = table[family];
  if ((suffix && !value.endsWith(suffix)) || !known) {
    return `is not an instance class ${engine} offers; allowed families: ${families.map((f) => `${f}.*${suffix}`).join(", ")}`;
  }
  if (!known.includes(size as Size)) {
    return `${family} has no size "${size}" for ${engine}; allowed: ${known.map((s) => `${family}.${s}${suffix}`).join(", ")}`;
  }
  return undefined;
}
