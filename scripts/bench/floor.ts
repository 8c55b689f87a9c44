/**
 * The cdktf floor of an output (`npm run bench -- --floor`): a bare cdktf app that re-creates the stacks of a
 * synthesized `cdktf.out` — every provider, resource, data source and output as a generic cdktf element at its
 * construct path, holding the synthesized attributes — and writes them.
 *
 *   node --import tsx scripts/bench/floor.ts SYNTHESIZED_OUTDIR FLOOR_OUTDIR [--shard I/N] [--stack NAME] [--fast] [--config DIR]
 *
 * It writes the same Terraform JSON (test/scripts/bench/floor.test.ts compares every section but cdktf's `//`
 * bookkeeping). What it leaves out makes it a lower bound of any cdktf app writing that output: no configuration is
 * read or validated, no construct of this project runs (only the construct tree's scopes), no policy, check or aspect
 * runs, references are plain `${...}` strings instead of tokens (a plain string resolves in one step, a token in
 * several), and there are no assets to copy. What it keeps is what cdktf itself must do: start Node with tsx and
 * cdktf, build one construct per element and scope, resolve and write each stack.
 *
 * `--shard I/N` takes every N-th stack from the I-th (1-based): N such processes at once give the floor on N cores.
 * `--stack NAME` takes that stack only. `--fast` resolves and writes with this project's path (stacks/fast-synth.ts,
 * stacks/stable-json.ts), stack JSON only; without it, cdktf's `app.synth()`. `--config DIR` first loads and validates
 * that configuration directory as every synthesis does (config/loader.ts), and drops the result: the floor of a run
 * that must validate its configuration. Prints a JSON line of its phases (ms).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { App, TerraformBackend, TerraformDataSource, TerraformElement, TerraformOutput, TerraformProvider, type TerraformRemoteState, TerraformResource, TerraformStack } from "cdktf";
import { Command, InvalidArgumentError } from "commander";
import { Construct } from "constructs";
import { disableTokenStackTraces, resolveStack } from "../../stacks/fast-synth";
import { stableJson } from "../../stacks/stable-json";

const started = performance.now();

type Attributes = Record<string, unknown>;

/** Terraform meta-arguments: cdktf merges its own (unset: deleted) over the attributes, so they go in as overrides. */
const META_ARGUMENTS = new Set(["count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"]);

/**
 * An element's synthesized attributes: its own, its meta-arguments and the other entries of its `//` comment (such
 * as policy exceptions; cdktf's `//.metadata` it writes itself), both given back as overrides.
 */
function split(attributes: Attributes): { own: Attributes; meta: [string, unknown][]; path?: string; uniqueId?: string } {
  const own: Attributes = {};
  const meta: [string, unknown][] = [];
  const comment = (attributes["//"] ?? {}) as { metadata?: { path?: string; uniqueId?: string } } & Record<string, unknown>;
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "//") continue;
    if (META_ARGUMENTS.has(key)) meta.push([key, value]);
    else own[key] = value;
  }
  for (const [key, value] of Object.entries(comment)) if (key !== "metadata") meta.push([`//.${key}`, value]);
  const metadata = comment.metadata;
  return { own, meta, ...(metadata?.path ? { path: metadata.path } : {}), ...(metadata?.uniqueId ? { uniqueId: metadata.uniqueId } : {}) };
}

// The floor app's elements: each writes the attributes it is given (`given`, set right after construction).

class FloorResource extends TerraformResource {
  given: Attributes = {};
  protected override synthesizeAttributes(): Attributes {
    return this.given;
  }
}

class FloorDataSource extends TerraformDataSource {
  given: Attributes = {};
  protected override synthesizeAttributes(): Attributes {
    return this.given;
  }
}

class FloorProvider extends TerraformProvider {
  given: Attributes = {};
  protected override synthesizeAttributes(): Attributes {
    return this.given;
  }
}

/** Without a backend, cdktf's synthesis adds a local one. */
class FloorBackend extends TerraformBackend {
  given: Attributes = {};
  protected override synthesizeAttributes(): Attributes {
    return this.given;
  }
  getRemoteStateDataSource(): TerraformRemoteState {
    throw new Error("the floor app reads no remote state");
  }
}

function entries(value: unknown): [string, Attributes][] {
  return Object.entries((value ?? {}) as Record<string, Attributes>);
}

/** The scope of a construct path below `stack` (created as plain constructs), and the element's own id. */
function scopeOf(stack: TerraformStack, path: string | undefined, fallback: string): { scope: Construct; id: string } {
  const parts = (path ?? `${stack.node.id}/${fallback}`).split("/").slice(1);
  const id = parts.pop() ?? fallback;
  let scope: Construct = stack;
  for (const part of parts) scope = (scope.node.tryFindChild(part) as Construct | undefined) ?? new Construct(scope, part);
  return { scope, id };
}

function give<T extends { given: Attributes }>(element: T, attributes: Attributes): T {
  element.given = attributes;
  return element;
}

function place(element: TerraformElement, meta: readonly [string, unknown][], uniqueId: string | undefined): void {
  if (uniqueId) element.overrideLogicalId(uniqueId);
  for (const [key, value] of meta) element.addOverride(key, value);
}

/** Re-creates one synthesized stack in `app`; returns how many elements it holds. */
export function recreate(app: App, stackName: string, json: Record<string, unknown>): number {
  const stack = new TerraformStack(app, stackName);
  let elements = 0;
  for (const [type, configs] of Object.entries((json.provider ?? {}) as Record<string, Attributes[]>)) {
    configs.forEach((attributes, position) => {
      const { own, meta } = split(attributes);
      place(give(new FloorProvider(stack, `provider-${type}-${position}`, { terraformResourceType: type }), own), meta, undefined);
    });
    elements += configs.length;
  }
  for (const [section, Element] of [
    ["resource", FloorResource],
    ["data", FloorDataSource],
  ] as const) {
    for (const [type, byName] of entries(json[section])) {
      for (const [name, attributes] of entries(byName)) {
        const { own, meta, path, uniqueId } = split(attributes);
        const { scope, id } = scopeOf(stack, path, name);
        place(give(new Element(scope, id, { terraformResourceType: type }), own), meta, uniqueId ?? name);
        elements++;
      }
    }
  }
  const outputPaths = (json["//"] as { outputs?: Record<string, unknown> } | undefined)?.outputs ?? {};
  for (const [name, output] of entries(json.output)) {
    const { own, meta } = split(output);
    const { scope, id } = scopeOf(stack, outputPath(outputPaths, name), name);
    place(new TerraformOutput(scope, id, { value: own.value, ...(own.description !== undefined ? { description: own.description as string } : {}), ...(own.sensitive !== undefined ? { sensitive: own.sensitive as boolean } : {}) }), meta, name);
    elements++;
  }
  const { backend, ...settings } = (json.terraform ?? {}) as { backend?: Record<string, Attributes> } & Attributes;
  for (const [name, attributes] of entries(backend)) give(new FloorBackend(stack, "backend", name), attributes);
  if (Object.keys(settings).length > 0) stack.addOverride("terraform", settings);
  // Everything else (locals, import, moved and removed blocks) as cdktf writes raw overrides.
  for (const [section, value] of Object.entries(json)) {
    if (!["//", "terraform", "provider", "resource", "data", "output"].includes(section)) stack.addOverride(section, value);
  }
  return elements;
}

/** The construct path of output `name` in cdktf's `//.outputs` map (path parts nested, the output's id at the leaf). */
function outputPath(tree: Record<string, unknown>, name: string, prefix: string[] = []): string | undefined {
  for (const [part, value] of Object.entries(tree)) {
    if (value === name) return [...prefix, part].join("/");
    if (typeof value === "object" && value !== null) {
      const found = outputPath(value as Record<string, unknown>, name, [...prefix, part]);
      if (found) return found;
    }
  }
  return undefined;
}

/** Writes each stack of `app` as `stacks/NAME/cdk.tf.json` with this project's resolver and writer (no manifest). */
export function writeFast(app: App, outdir: string): void {
  for (const stack of app.node.children.filter((child): child is TerraformStack => TerraformStack.isStack(child))) {
    mkdirSync(join(outdir, "stacks", stack.node.id), { recursive: true });
    writeFileSync(join(outdir, "stacks", stack.node.id, "cdk.tf.json"), stableJson(resolveStack(stack)) ?? "");
  }
}

export interface FloorOptions {
  readonly synthesized: string;
  readonly outdir: string;
  /** 1-based shard index and shard count (every `count`-th stack from the `index`-th). */
  readonly shard: { readonly index: number; readonly count: number };
  readonly stack?: string;
  readonly fast: boolean;
  readonly configDir?: string;
}

/** The floor app's command line (arguments after the script); throws a CommanderError on a bad one. */
export function floorOptions(args: readonly string[]): FloorOptions {
  const program = new Command()
    .name("floor.ts")
    .argument("<synthesized>", "a synthesized cdktf.out")
    .argument("<outdir>", "where the floor app writes")
    .option("--shard <i/n>", "every n-th stack from the i-th (1-based)", (value) => {
      const [index, count] = value.split("/").map(Number) as [number, number];
      if (!(Number.isInteger(index) && Number.isInteger(count) && index >= 1 && index <= count)) throw new InvalidArgumentError("expected I/N with 1 <= I <= N");
      return { index, count };
    })
    .option("--stack <name>", "that stack only")
    .option("--fast", "this project's resolver and writer instead of app.synth()")
    .option("--config <dir>", "load and validate this configuration directory first")
    .exitOverride()
    .configureOutput({ writeErr: () => undefined })
    .parse(args, { from: "user" });
  const [synthesized, outdir] = program.processedArgs as [string, string];
  const options = program.opts<{ shard?: { index: number; count: number }; stack?: string; fast?: boolean; config?: string }>();
  return { synthesized, outdir, shard: options.shard ?? { index: 1, count: 1 }, fast: options.fast ?? false, ...(options.stack ? { stack: options.stack } : {}), ...(options.config ? { configDir: options.config } : {}) };
}

function main(): void {
  const { synthesized, outdir, shard, stack: only, fast, configDir } = floorOptions(process.argv.slice(2));
  const names = readdirSync(join(synthesized, "stacks"))
    .sort()
    .filter((name, position) => (only ? name === only : position % shard.count === shard.index - 1));
  if (names.length === 0) throw new Error(`no stack of ${synthesized} selected`);
  if (fast) disableTokenStackTraces();
  // Imported only when asked: the configuration's modules (zod, yaml, the schemas) are part of what is measured.
  if (configDir) (require("../../config/loader") as typeof import("../../config/loader")).loadConfig(configDir);
  const configured = performance.now();
  const stacks = names.map((name) => ({ name, json: JSON.parse(readFileSync(join(synthesized, "stacks", name, "cdk.tf.json"), "utf8")) as Record<string, unknown> }));
  const read = performance.now();

  const app = new App({ outdir, skipValidation: true });
  let elements = 0;
  for (const { name, json } of stacks) elements += recreate(app, name, json);
  const built = performance.now();
  if (fast) writeFast(app, outdir);
  else app.synth();
  const written = performance.now();
  process.stdout.write(
    `${JSON.stringify({ stacks: stacks.length, elements, startMs: Math.round(started), configMs: Math.round(configured - started), readMs: Math.round(read - configured), buildMs: Math.round(built - read), synthMs: Math.round(written - built) })}\n`,
  );
}

if (require.main === module) main();
