/**
 * Reading YAML configuration files with positions, so problems can point at a line and column.
 *
 * Every way a file can be unreadable is a reported problem naming the file (and the line where there is one), never
 * a stack trace: a file that cannot be read, a directory where a file is expected (or the reverse), bytes that are
 * not UTF-8 (a UTF-16 or UTF-32 file is named as such), YAML syntax errors, duplicate keys (named), an alias
 * expansion past the parser's limit (a "billion laughs" document), a `__proto__` key (JavaScript would drop it
 * silently) and a root that is not a mapping.
 *
 * An overlay (`FileOverlay`) lets a command validate the configuration as it would be after a change, without
 * copying the directory: messages still name the real files.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, extname, join, relative, resolve } from "node:path";
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type Pair } from "yaml";
import type { ConfigIssue, ConfigPath } from "./errors";

export interface SourceFile {
  /** Path shown in messages (relative to the working directory). */
  readonly file: string;
  /** Plain data of the document; undefined when the file could not be parsed. */
  readonly data: unknown;
  /** Locates a key path in the document (nearest existing parent when the key is absent). */
  locate(path: ConfigPath): { line: number; column: number } | undefined;
  /** Whether the key path itself is written in the file (not only a parent of it). */
  has(path: ConfigPath): boolean;
}

/**
 * Files as a command is about to leave them: absolute path -> the file's new text, or `null` for a file that is about
 * to be removed. Paths not in the overlay are read from disk.
 */
export type FileOverlay = ReadonlyMap<string, string | null>;

const NO_OVERLAY: FileOverlay = new Map();

/** YAML file extensions the loader reads. */
export const YAML_EXTENSIONS = [".yaml", ".yml"] as const;

/**
 * Most alias references one document may use when it is turned into data. The bundled files use none; a few dozen
 * anchors and merges are plenty for hand-written configuration, and the limit stops a document of nested aliases
 * from expanding to gigabytes.
 */
export const MAX_ALIAS_COUNT = 100;

export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") ? path : rel;
}

/** 1-based line and column of byte `offset` in `bytes` (columns count characters of the valid UTF-8 before it). */
function bytePosition(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset; index++) {
    if (bytes[index] === 0x0a) {
      line++;
      lineStart = index + 1;
    }
  }
  const column = new TextDecoder("utf-8").decode(bytes.subarray(lineStart, offset)).length + 1;
  return { line, column };
}

/** Offset of the first byte that is not part of a valid UTF-8 sequence, or -1 (RFC 3629: no overlongs, no surrogates). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const byte = bytes[index] as number;
    if (byte < 0x80) {
      index++;
      continue;
    }
    let length: number;
    let min: number;
    if (byte >= 0xc2 && byte <= 0xdf) [length, min] = [2, 0x80];
    else if (byte >= 0xe0 && byte <= 0xef) [length, min] = [3, 0x800];
    else if (byte >= 0xf0 && byte <= 0xf4) [length, min] = [4, 0x10000];
    else return index;
    let code = byte & (0xff >> (length + 1));
    for (let next = 1; next < length; next++) {
      const continuation = bytes[index + next];
      if (continuation === undefined || (continuation & 0xc0) !== 0x80) return index;
      code = (code << 6) | (continuation & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return index;
    index += length;
  }
  return -1;
}

/** The encoding of a byte-order mark or of a BOM-less UTF-16/32 file (NUL bytes beside ASCII), if not UTF-8. */
export function wideEncoding(bytes: Uint8Array): string | undefined {
  const [a, b, c, d] = bytes;
  if (a === 0x00 && b === 0x00 && c === 0xfe && d === 0xff) return "UTF-32 (big-endian)";
  if (a === 0xff && b === 0xfe && c === 0x00 && d === 0x00) return "UTF-32 (little-endian)";
  if (a === 0xfe && b === 0xff) return "UTF-16 (big-endian)";
  if (a === 0xff && b === 0xfe) return "UTF-16 (little-endian)";
  // Without a byte-order mark, ASCII text in UTF-16 has a NUL byte in every pair.
  if (bytes.length >= 4 && b === 0x00 && d === 0x00 && a !== 0x00) return "UTF-16 (little-endian, no byte-order mark)";
  if (bytes.length >= 4 && a === 0x00 && c === 0x00 && b !== 0x00) return "UTF-16 (big-endian, no byte-order mark)";
  return undefined;
}

/** Decodes a configuration file's bytes as UTF-8, or reports why it cannot. */
function decode(bytes: Uint8Array, file: string, issues: ConfigIssue[]): string | undefined {
  const wide = wideEncoding(bytes);
  if (wide) {
    issues.push({ file, path: [], message: `the file is encoded as ${wide}; save it as UTF-8 (configuration files are UTF-8)` });
    return undefined;
  }
  const invalid = firstInvalidUtf8(bytes);
  if (invalid >= 0) {
    const { line, column } = bytePosition(bytes, invalid);
    const shown = [...bytes.subarray(invalid, invalid + 4)].map((byte) => byte.toString(16).padStart(2, "0")).join(" ");
    issues.push({
      file,
      path: [],
      line,
      column,
      message: `the file is not valid UTF-8 (bytes ${shown} here; perhaps saved as Latin-1 or Windows-1252): save it as UTF-8, or the text would reach resource names and tags garbled`,
    });
    return undefined;
  }
  const text = new TextDecoder("utf-8").decode(bytes); // drops a UTF-8 byte-order mark
  return text;
}

/** Text of a file (through the overlay), or a reported problem. */
function readText(path: string, file: string, issues: ConfigIssue[], overlay: FileOverlay): string | undefined {
  const overlaid = overlay.get(resolve(path));
  if (overlaid === null) {
    issues.push({ file, path: [], message: "cannot read file: it is being removed" });
    return undefined;
  }
  if (overlaid !== undefined) return overlaid;
  let bytes: Buffer;
  try {
    if (statSync(path).isDirectory()) {
      issues.push({ file, path: [], message: "expected a YAML file, found a directory" });
      return undefined;
    }
    bytes = readFileSync(path);
  } catch (error) {
    issues.push({ file, path: [], message: `cannot read file: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "it does not exist" : (error as Error).message}` });
    return undefined;
  }
  return decode(bytes, file, issues);
}

/** Key path of every `__proto__` key of the document (JavaScript objects would lose them without a word). */
function prototypeKeys(doc: Document): { path: (string | number)[]; offset: number | undefined }[] {
  const found: { path: (string | number)[]; offset: number | undefined }[] = [];
  visit(doc, {
    Pair(_key, pair, ancestors) {
      if (!isScalar(pair.key) || pair.key.value !== "__proto__") return;
      const chain: unknown[] = [...ancestors, pair];
      const path: (string | number)[] = [];
      chain.forEach((node, index) => {
        if (isPair(node) && node !== pair) path.push(isScalar(node.key) ? String(node.key.value) : String(node.key));
        if (isSeq(node)) path.push(node.items.indexOf(chain[index + 1] as never));
      });
      found.push({ path: [...path, "__proto__"], offset: pair.key.range?.[0] });
    },
  });
  return found;
}

/** Parses one YAML file. Every problem reading or parsing it is reported as an issue. */
export function readYamlFile(path: string, issues: ConfigIssue[], overlay: FileOverlay = NO_OVERLAY): SourceFile | undefined {
  const file = displayPath(path);
  const text = readText(path, file, issues, overlay);
  if (text === undefined) return undefined;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, merge: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const pos = lineCounter.linePos(error.pos[0]);
      let message: string;
      if (error.code === "DUPLICATE_KEY") {
        const key = (text.slice(error.pos[0]).split(/:(\s|$)|\n/)[0] ?? "").trim();
        message = `duplicate key "${key}": each key may appear once in a mapping (the second would silently replace the first); keep one`;
      } else {
        message = `malformed YAML: ${error.message.split("\n")[0]}`;
      }
      issues.push({ file, path: [], message, line: pos.line, column: pos.col });
    }
    return undefined;
  }
  const locate = (keyPath: ConfigPath) => locateInDocument(doc, keyPath, lineCounter)?.position;
  const has = (keyPath: ConfigPath) => locateInDocument(doc, keyPath, lineCounter)?.exact ?? false;
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // yaml throws a ReferenceError when aliases expand past maxAliasCount (a resource exhaustion attack).
    issues.push({ file, path: [], message: `YAML aliases expand too far (${(error as Error).message}); at most ${MAX_ALIAS_COUNT} alias uses are allowed: write the values out` });
    return undefined;
  }
  const reserved = prototypeKeys(doc);
  if (reserved.length > 0) {
    for (const { path: keyPath, offset } of reserved) {
      const pos = offset === undefined ? undefined : lineCounter.linePos(offset);
      issues.push({ file, path: keyPath, message: 'the key "__proto__" is not allowed (JavaScript objects cannot hold it, so it would be dropped without a word); rename it', ...(pos ? { line: pos.line, column: pos.col } : {}) });
    }
    return undefined;
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    issues.push({ file, path: [], message: "the file must contain a YAML mapping (key: value pairs) at the top level", value: data });
    return undefined;
  }
  return { file, data, locate, has };
}

function locateInDocument(doc: Document, path: ConfigPath, lineCounter: LineCounter): { position: { line: number; column: number }; exact: boolean } | undefined {
  let node: Node | null | undefined = doc.contents;
  let found: Node | null | undefined = node;
  let matched = 0;
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
    matched++;
  }
  const offset = found?.range?.[0];
  if (offset === undefined) return undefined;
  const pos = lineCounter.linePos(offset);
  return { position: { line: pos.line, column: pos.col }, exact: matched === path.length };
}

export interface YamlFileEntry {
  readonly path: string;
  readonly stem: string;
}

/**
 * YAML files of a directory, sorted by name; empty when the directory does not exist. A path that is a file where a
 * directory is expected, or a directory that cannot be read, is reported in `issues`.
 */
export function yamlFilesIn(directory: string, issues: ConfigIssue[] = [], overlay: FileOverlay = NO_OVERLAY): YamlFileEntry[] {
  const names = new Set<string>();
  if (existsSync(directory)) {
    try {
      if (!statSync(directory).isDirectory()) {
        issues.push({ file: displayPath(directory), path: [], message: `expected a directory of <name>.yaml files, found a file; move it aside and create the directory ${basename(directory)}/` });
        return [];
      }
      for (const name of readdirSync(directory)) names.add(name);
    } catch (error) {
      issues.push({ file: displayPath(directory), path: [], message: `cannot read directory: ${(error as Error).message}` });
      return [];
    }
  }
  const absolute = resolve(directory);
  for (const [path, text] of overlay) {
    if (resolve(path, "..") !== absolute) continue;
    if (text === null) names.delete(basename(path));
    else names.add(basename(path));
  }
  return [...names]
    .filter((name) => (YAML_EXTENSIONS as readonly string[]).includes(extname(name)))
    .sort()
    .map((name) => ({ path: join(directory, name), stem: basename(name, extname(name)) }));
}

/**
 * Two files with the same stem (`a.yaml` and `a.yml`) would define the same environment, tenant or product twice, one
 * silently replacing the other: both are reported. Returns the files whose stem is unique.
 */
export function uniqueStems(files: readonly YamlFileEntry[], what: string, issues: ConfigIssue[]): YamlFileEntry[] {
  const byStem = new Map<string, YamlFileEntry[]>();
  for (const file of files) byStem.set(file.stem, [...(byStem.get(file.stem) ?? []), file]);
  const unique: YamlFileEntry[] = [];
  for (const [stem, group] of byStem) {
    if (group.length === 1) {
      unique.push(group[0] as YamlFileEntry);
      continue;
    }
    for (const file of group) {
      const others = group.filter((other) => other !== file).map((other) => displayPath(other.path));
      issues.push({ file: displayPath(file.path), path: [], message: `duplicate ${what} "${stem}": also defined by ${others.join(", ")}; keep one file (.yaml)` });
    }
  }
  return unique.sort((a, b) => a.path.localeCompare(b.path));
}
