/**
 * A Lambda function's code directory as Lambda unpacks it, staged at synthesis: its `index.mjs`, the module the
 * platform's rotation functions share (`rotation-steps.mjs`, imported as `#rotation-steps`, with a package.json
 * mapping that name as the repository's own package.json does), and, under node_modules, the npm packages it imports
 * that the nodejs runtime does not provide (the project's own installed copies, so the function runs exactly the
 * versions package-lock.json pins and the tests exercise).
 *
 * Staged into node_modules/.cache (the cache the archives use, stacks/fast-synth.ts), each file written only when its
 * content differs: an unchanged function keeps its files, so its archive and `source_code_hash` stay the same and no
 * plan shows an update. Parallel synthesis processes stage the same bytes; a file is written beside its place and
 * renamed, so no reader sees half of one.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";

/** An npm package copied into a function's node_modules, with what of it the function needs at run time. */
export interface BundledPackage {
  readonly name: string;
  readonly include: readonly string[];
}

/** The module the rotation functions share, and the name they import it by (package.json `imports`). */
export const ROTATION_STEPS_SOURCE = join(__dirname, "rotation-steps.mjs");
export const ROTATION_STEPS_IMPORT = "#rotation-steps";
const ROTATION_STEPS_FILE = "rotation-steps.mjs";
/** The bundle's package.json: `#rotation-steps` resolves to the bundled copy, as in the repository. */
const BUNDLE_PACKAGE_JSON = `${JSON.stringify({ private: true, imports: { [ROTATION_STEPS_IMPORT]: `./${ROTATION_STEPS_FILE}` } }, null, 2)}\n`;

/** Where the installed packages are (cdktf is always installed beside them). */
function nodeModulesDir(): string {
  return join(dirname(require.resolve("cdktf/package.json")), "..");
}

/** Files under `path` (a file or directory), relative to `root`; type declarations are not needed at run time. */
function filesUnder(root: string, path: string): string[] {
  const absolute = join(root, path);
  if (!existsSync(absolute)) throw new Error(`function bundle: ${absolute} is missing; run npm ci`);
  if (!statSync(absolute).isDirectory()) return [path];
  return readdirSync(absolute, { recursive: true, encoding: "utf8" })
    .filter((entry) => !entry.endsWith(".d.ts") && statSync(join(absolute, entry)).isFile())
    .map((entry) => join(path, entry))
    .sort();
}

/** The bundle's files copied from elsewhere: path inside the bundle -> source path (package.json is generated). */
export function bundleFiles(functionSource: string, packages: readonly BundledPackage[] = []): Map<string, string> {
  const files = new Map<string, string>([
    ["index.mjs", functionSource],
    [ROTATION_STEPS_FILE, ROTATION_STEPS_SOURCE],
  ]);
  const modules = nodeModulesDir();
  for (const { name, include } of packages) {
    const root = join(modules, name);
    for (const path of include.flatMap((entry) => filesUnder(root, entry))) files.set(join("node_modules", name, path), join(root, path));
  }
  return files;
}

function writeIfChanged(path: string, content: Buffer): void {
  if (existsSync(path) && readFileSync(path).equals(content)) return;
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.partial`;
  writeFileSync(partial, content);
  renameSync(partial, path);
}

/** Removes files of an earlier bundle that the current one no longer has. */
function removeStale(dir: string, keep: ReadonlySet<string>): void {
  for (const entry of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const path = join(dir, entry);
    if (statSync(path, { throwIfNoEntry: false })?.isFile() && !keep.has(relative(dir, path)) && !entry.endsWith(".partial")) rmSync(path, { force: true });
  }
}

/** Bundles staged by this process: a stack per tenant asks for the same one again (synthesis hot path). */
const staged = new Map<string, string>();

/**
 * Stages the bundle of `functionSource` (with `packages`) as `name`, once per process; returns its directory (a
 * TerraformAsset's path).
 */
export function stageFunctionBundle(name: string, functionSource: string, packages: readonly BundledPackage[] = []): string {
  const key = JSON.stringify([name, functionSource, packages]);
  const done = staged.get(key);
  if (done !== undefined) return done;
  const dir = stageBundle(name, functionSource, packages);
  staged.set(key, dir);
  return dir;
}

/** Stages a bundle without this process's memory of it: what another synthesis process does with the same inputs. */
export function stageBundle(name: string, functionSource: string, packages: readonly BundledPackage[] = []): string {
  const files = bundleFiles(functionSource, packages);
  const stage = (dir: string) => {
    for (const [path, source] of files) writeIfChanged(join(dir, path), readFileSync(source));
    writeIfChanged(join(dir, "package.json"), Buffer.from(BUNDLE_PACKAGE_JSON));
    removeStale(dir, new Set([...files.keys(), "package.json"]));
    return dir;
  };
  const cached = join(nodeModulesDir(), ".cache", "platform-iac", "functions", name);
  try {
    return stage(cached);
  } catch (error) {
    // A read-only node_modules: stage in the temporary directory (same content, so the same asset hash).
    if (!["EACCES", "EROFS", "EPERM"].includes((error as NodeJS.ErrnoException).code ?? "")) throw error;
    return stage(join(tmpdir(), "platform-iac-functions", name));
  }
}
