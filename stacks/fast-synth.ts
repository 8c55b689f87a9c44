/**
 * Synthesis speed-ups that change no output.
 *
 * cdktf records the full creation stack trace of every token it creates (thousands per stack), and uses it only to
 * decorate the error message when a token is misused. Capturing and formatting those traces cost about a fifth of
 * the bundled synth (measured with `node --cpu-prof`), and with source maps enabled (tsx turns them on) far more.
 * `disableTokenStackTraces` replaces the capture with an empty trace; set PLATFORM_TOKEN_STACK_TRACES=1 to keep
 * them while debugging a token error.
 *
 * `reuseAssetArchives` makes an ARCHIVE asset (a directory zipped into a stack's assets) cost one zip per source
 * state instead of one per stack (kept in node_modules/.cache between runs, so an unchanged function is not zipped
 * again by the next synthesis or by another worker): cdktf zips by starting a new Node process for each asset of each stack
 * (cdktf/lib/private/fs.js `archiveSync`, `execSync("node fs.js src dest")`), which was 12.6% of the bundled synth
 * (3 infra stacks x the RabbitMQ rotation function; profile in scripts/profile-summary.ts's notes). The archive
 * depends only on the files' paths, contents, modes and modification times (archiver stores them), so while those are
 * unchanged the first archive is copied: the same bytes.
 *
 * `resolveStack` is cdktf 0.21's `TerraformStack.toTerraform()` (the last cdktf release) with one walk fewer: cdktf
 * resolves every element, merges the fragments, then resolves the merged (already resolved) JSON once more. Only
 * the stack overrides and metadata can still hold tokens at that point, so they are resolved on their own. A test
 * compares the result with cdktf's own method for every bundled stack.
 */
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { DefaultTokenResolver, StringConcat, TerraformElement, TerraformOutput, TerraformStack, Token, Tokenization } from "cdktf";

interface StackTraceModule {
  captureStackTrace: (below?: unknown) => string[];
}

export function disableTokenStackTraces(): void {
  process.setSourceMapsEnabled(false);
  // cdktf's token classes call this module's export through the module object at each use, so replacing the
  // export takes effect for every token created afterwards.
  const stackTrace = createRequire(__filename)("cdktf/lib/tokens/private/stack-trace") as StackTraceModule;
  stackTrace.captureStackTrace = () => [];
}

interface PrivateFsModule {
  archiveSync: (src: string, dest: string) => void;
}

/** What an archive of `directory` depends on: each file's relative path, size, mode and modification time. */
function archiveInputs(directory: string, prefix = ""): string[] {
  return readdirSync(join(directory, prefix), { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const relative = join(prefix, entry.name);
      if (entry.isDirectory()) return [`${relative}/`, ...archiveInputs(directory, relative)];
      const stat = statSync(join(directory, relative));
      return [`${relative} ${stat.size} ${stat.mode} ${stat.mtimeMs}`];
    });
}

let archivesReused = false;

/**
 * Where archives are kept between runs: node_modules/.cache (the conventional place for a tool's cache, removed with
 * node_modules), keyed by everything the archive's bytes depend on. Without it every synthesis process starts a
 * Node process to zip the same rotation function again (about 0.4 s of each run's profile).
 */
function archiveCacheDir(): string {
  return join(dirname(require.resolve("cdktf/package.json")), "..", ".cache", "platform-iac", "archives");
}

/** The disk cache key of an archive of `src`: cdktf's version (its archiver) and each file's inputs and content. */
function archiveKey(src: string, inputs: string): string {
  const hash = createHash("sha256").update(`${installedCdktfVersion()}\n${inputs}\n`);
  for (const line of inputs.split("\n")) {
    if (line === "" || line.endsWith("/")) continue;
    hash.update(readFileSync(join(src, line.split(" ").slice(0, -3).join(" "))));
  }
  return hash.digest("hex");
}

function installedCdktfVersion(): string {
  return (JSON.parse(readFileSync(require.resolve("cdktf/package.json"), "utf8")) as { version: string }).version;
}

/** Copies a cached archive to `dest`; false when there is none (or it cannot be read). */
function copyCached(path: string, dest: string): boolean {
  try {
    copyFileSync(path, dest);
    return true;
  } catch {
    return false;
  }
}

/** Keeps `archive` in the disk cache (written beside it and renamed, so a reader never sees half a file). */
function keepArchive(archive: string, path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    const partial = `${path}.${process.pid}.partial`;
    copyFileSync(archive, partial);
    renameSync(partial, path);
  } catch {
    // a read-only node_modules: archives are made per process, as without the cache
  }
}

/**
 * An `archiveSync` that zips with `archive` only when neither this process nor the disk cache (`cacheDir`) has an
 * archive of the same inputs; the bytes are always those `archive` made for those inputs.
 */
export function cachingArchiver(archive: (src: string, dest: string) => void, cacheDir: string): (src: string, dest: string) => void {
  const made = new Map<string, { readonly inputs: string; readonly path: string }>();
  return (src: string, dest: string) => {
    const inputs = archiveInputs(src).join("\n");
    const previous = made.get(src);
    if (previous && previous.inputs === inputs && copyCached(previous.path, dest)) return;
    // (the first archive may have been moved or deleted when its stack was installed: the disk cache, or zip again)
    const cached = join(cacheDir, `${archiveKey(src, inputs)}.zip`);
    if (!copyCached(cached, dest)) {
      archive(src, dest);
      keepArchive(dest, cached);
    }
    made.set(src, { inputs, path: dest });
  };
}

export function reuseAssetArchives(): void {
  if (archivesReused) return;
  archivesReused = true;
  // cdktf's TerraformAsset calls this module's export through the module object (`(0, fs_1.archiveSync)(...)`).
  const privateFs = createRequire(require.resolve("cdktf"))("./private/fs") as PrivateFsModule;
  privateFs.archiveSync = cachingArchiver(privateFs.archiveSync, archiveCacheDir());
}

interface CdktfUtil {
  deepMerge: (target: unknown, ...sources: unknown[]) => unknown;
}

/** cdktf's own merge (lists concatenate, `undefined` deletes), so fragments combine exactly as cdktf combines them. */
const { deepMerge } = createRequire(__filename)("cdktf/lib/util") as CdktfUtil;
const RESOLVER = new DefaultTokenResolver(new StringConcat());

interface EncodingModule {
  containsStringListTokenElement: (values: readonly unknown[]) => boolean;
  containsNumberListTokenElement: (values: readonly unknown[]) => boolean;
}

/** cdktf's own tests for the list tokens its resolver hands to `resolveList` / `resolveNumberList`. */
const ENCODING = createRequire(__filename)("cdktf/lib/tokens/private/encoding") as EncodingModule;

/** What `toTerraform()` reads from the stack besides its elements (private in cdktf's typings). */
interface StackInternals {
  readonly rawOverrides: Record<string, unknown>;
  readonly cdktfVersion: string;
}

/** The stack's Terraform elements in construct order, without descending into nested stacks (as cdktf does). */
function terraformElements(node: TerraformStack | TerraformElement | { node: { children: readonly unknown[] } }, into: TerraformElement[] = []): TerraformElement[] {
  if (TerraformElement.isTerraformElement(node)) into.push(node);
  for (const child of (node as { node: { children: readonly unknown[] } }).node.children) {
    if (TerraformStack.isStack(child)) continue;
    terraformElements(child as TerraformElement, into);
  }
  return into;
}

/**
 * A string cdktf's resolver returns unchanged: no token marker (`${TfToken[`, `#{TfToken[`, `&{TfToken[`), no brace
 * (escape sequences), no part that could be an encoded number token (cdktf/lib/tokens/private/encoding.js
 * NUMBER_TOKEN_REGEX), and not one of the map-token placeholder values cdktf rejects.
 */
function plainString(value: string): boolean {
  return !value.includes("{") && !value.includes("}") && !/[-|\d.+]e[-|\d.eE+]/.test(value) && value !== Token.STRING_MAP_TOKEN_VALUE && value !== Token.ANY_MAP_TOKEN_VALUE;
}

/** A number cdktf's resolver returns unchanged: encoded number tokens are doubles beyond ±1e289; the map placeholder. */
function plainNumber(value: number): boolean {
  return Math.abs(value) < 1e100 && value !== Token.NUMBER_MAP_TOKEN_VALUE;
}

function plainObject(value: object): value is Record<string, unknown> {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return (prototype === Object.prototype || prototype === null) && typeof (value as { resolve?: unknown }).resolve !== "function";
}

/**
 * cdktf's `resolve` (cdktf/lib/tokens/private/resolve.js) with a fast path: plain containers are walked here and only
 * values that may hold a token are handed to cdktf, so the result is the same, in the same order of token
 * resolution. cdktf's resolver allocates a context and two closures and runs three regular expressions for every
 * value; most of a stack is plain strings, numbers and objects (resolution was the largest cost of a tenant stack).
 * Copies like cdktf (callers merge into the result): `undefined` dropped from objects and arrays.
 */
function resolveValue(value: unknown, delegate: (value: unknown) => unknown, depth = 0): unknown {
  if (value === undefined || value === null || typeof value === "boolean") return value;
  if (typeof value === "string") return plainString(value) ? value : delegate(value);
  if (typeof value === "number") return plainNumber(value) ? value : delegate(value);
  if (typeof value !== "object" || depth > 100) return delegate(value);
  if (Array.isArray(value)) {
    // A list token is a string or number element: the whole list goes to cdktf (resolveList / resolveNumberList),
    // decided with cdktf's own tests. Any other list cdktf resolves element by element, each in a fresh context, as
    // here (a list holding one string token used to go to cdktf whole, every plain element through its slow path).
    if (value.some((item) => (typeof item === "string" && !plainString(item)) || (typeof item === "number" && !plainNumber(item))) && (ENCODING.containsStringListTokenElement(value) || ENCODING.containsNumberListTokenElement(value))) return delegate(value);
    const out: unknown[] = [];
    for (const item of value) {
      const resolved = resolveValue(item, delegate, depth + 1);
      if (resolved !== undefined) out.push(resolved);
    }
    return out;
  }
  if (!plainObject(value) || Object.keys(value).some((key) => !plainString(key))) return delegate(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const resolved = resolveValue(value[key], delegate, depth + 1);
    if (resolved !== undefined) out[key] = resolved;
  }
  return out;
}

/** The stack's synthesized JSON, identical to `TerraformStack.prototype.toTerraform` (see the module comment). */
export function resolveStack(stack: TerraformStack): Record<string, unknown> {
  const delegate = (value: unknown): unknown => Tokenization.resolve(value, { scope: stack, preparing: false, resolver: RESOLVER });
  const resolve = <T>(value: T): T => resolveValue(value, delegate) as T;
  const { rawOverrides, cdktfVersion } = stack as unknown as StackInternals;
  const overrideKeys = Object.keys(rawOverrides);
  const metadata: Record<string, unknown> = {
    version: cdktfVersion,
    stackName: stack.node.id,
    backend: "local", // overwritten by backend implementations
    cloud: undefined, // overwritten by cloud and remote backend implementations
    ...(overrideKeys.length > 0 ? { overrides: { stack: overrideKeys } } : {}),
  };
  const elements = terraformElements(stack);
  for (const element of elements) deepMerge(metadata, resolve(element.toMetadata()));
  const outputs: Record<string, unknown> = {};
  for (const element of elements) {
    if (!TerraformOutput.isTerraformOutput(element)) continue;
    const nested = element.node.path
      .split("/")
      .reduceRight<Record<string, unknown>>((inner, part) => (Object.keys(inner).length === 0 ? { [part]: element.friendlyUniqueId } : { [part]: inner }), {});
    deepMerge(outputs, nested);
  }
  const tf: Record<string, unknown> = { "//": { metadata: resolve(metadata), outputs } };
  for (const element of elements) deepMerge(tf, resolve(element.toTerraform()));
  // Overrides merge as in cdktf (an `undefined` value deletes the key); only the sections they touch can hold tokens.
  deepMerge(tf, rawOverrides);
  for (const key of overrideKeys) {
    if (tf[key] !== undefined) tf[key] = resolve(tf[key]);
  }
  return tf;
}
