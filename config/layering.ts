/**
 * Configuration layering: objects merge key by key, later layers win, and a later list or scalar replaces the
 * earlier one whole. See `defaults.ts` for the order of layers.
 */
import { deepmergeCustom } from "deepmerge-ts";

const merge = deepmergeCustom({ mergeArrays: false });

/** Merges layers from first (lowest precedence) to last (highest). `undefined` layers are skipped. */
export function layer(...layers: readonly unknown[]): unknown {
  const present = layers.filter((value) => value !== undefined);
  if (present.length === 0) return undefined;
  if (present.length === 1) return structuredClone(present[0]);
  return structuredClone(merge(...(present as [unknown, ...unknown[]])));
}
