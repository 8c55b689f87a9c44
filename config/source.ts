/**
 * Reading YAML configuration files with positions, so problems can point at a line and column.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, extname, join, relative } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from "yaml";
import type { ConfigIssue, ConfigPath } from "./errors";

export interface SourceFile {
  /** Path shown in messages (relative to the working directory). */
  readonly file: string;
  /** Plain data of the document; undefined when the file could not be parsed. */
  readonly data: unknown;
  /** Locates a key path in the document (nearest existing parent when the key is absent). */
  locate(path: ConfigPath): { line: number; column: number } | undefined;
}

export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") ? path : rel;
}

/**
 * Parses one YAML file. Syntax errors, duplicate keys and a non-mapping root are reported as issues. `content`, when
 * given, is parsed instead of the file's text on disk (the file as it is in another revision; see LoadOptions).
 */
export function readYamlFile(path: string, issues: ConfigIssue[], content?: string): SourceFile | undefined {
  const file = displayPath(path);
  let text: string;
  try {
    text = content ?? readFileSync(path, "utf8");
  } catch (error) {
    issues.push({ file, path: [], message: `cannot read file: ${(error as Error).message}` });
    return undefined;
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, merge: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const pos = lineCounter.linePos(error.pos[0]);
      const message =
        error.code === "DUPLICATE_KEY"
          ? `duplicate key: ${error.message}; each key may appear once in a mapping`
          : `malformed YAML: ${error.message.split("\n")[0]}`;
      issues.push({ file, path: [], message, line: pos.line, column: pos.col });
    }
    return undefined;
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  const locate = (keyPath: ConfigPath) => locateInDocument(doc, keyPath, lineCounter);
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    issues.push({ file, path: [], message: "the file must contain a YAML mapping (key: value pairs) at the top level", value: data });
    return undefined;
  }
  return { file, data, locate };
}

function locateInDocument(doc: Document, path: ConfigPath, lineCounter: LineCounter) {
  let node: Node | null | undefined = doc.contents;
  let found: Node | null | undefined = node;
  for (const segment of path) {
    if (isMap(node)) {
      const items: Pair<unknown, unknown>[] = node.items;
      const pair = items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      found = pair.key as Node; // point at the key, where a reader looks
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof segment === "number") {
      node = node.items[segment] as Node | undefined;
      if (!node) break;
      found = node;
    } else {
      break;
    }
  }
  const offset = found?.range?.[0];
  if (offset === undefined) return undefined;
  const pos = lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

/**
 * YAML files of a directory, sorted by name; empty when the directory does not exist. `replaced` (file name -> text,
 * or undefined for a file that does not exist) adds and removes names as another revision of the directory has them.
 */
export function yamlFilesIn(directory: string, replaced?: ReadonlyMap<string, string | undefined>): { path: string; stem: string }[] {
  const names = new Set(existsSync(directory) ? readdirSync(directory) : []);
  for (const [name, text] of replaced ?? []) {
    if (text === undefined) names.delete(name);
    else names.add(name);
  }
  return [...names]
    .filter((name) => [".yaml", ".yml"].includes(extname(name)))
    .sort()
    .map((name) => ({ path: join(directory, name), stem: basename(name, extname(name)) }));
}
