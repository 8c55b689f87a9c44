/**
 * Test helpers: load the bundled configuration, synthesize stacks in memory, and query the synthesized JSON.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { App, Testing, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { afterAll, inject } from "vitest";
import { parse, stringify } from "yaml";
import { loadConfig, type PlatformConfig } from "../../config/loader";
import { buildApp, type BuildOptions } from "../../stacks/app";
import { layer } from "../../config/layering";
import { awsProvider } from "../../constructs/core/aws";
import type { SynthesizedStack } from "../../constructs/policy/model";

export const ROOT = join(__dirname, "..", "..");
export const BUNDLED_CONFIG_DIR = join(ROOT, "config");

export function bundledConfig(): PlatformConfig {
  return loadConfig(BUNDLED_CONFIG_DIR);
}

export type Synthesized = {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  provider?: Record<string, Record<string, unknown>[]>;
  terraform?: Record<string, unknown>;
  output?: Record<string, unknown>;
};

/**
 * The bundled configuration's stacks as synthesized once for the whole run by test/support/global-setup.ts:
 * stack name -> cdk.tf.json text. Use this for assertions over bundled stacks instead of synthesizing again.
 */
export function bundledSynth(): Map<string, string> {
  const stacksDir = join(inject("bundledOutdir"), "stacks");
  return new Map(readdirSync(stacksDir).sort().map((name) => [name, readFileSync(join(stacksDir, name, "cdk.tf.json"), "utf8")]));
}

/** Synthesizes `config` with a real App (as main.ts does) into a temporary directory: stack name -> cdk.tf.json text. */
export async function synthToTexts(config: PlatformConfig, options: BuildOptions = {}): Promise<Map<string, string>> {
  const outdir = mkdtempSync(join(tmpdir(), "platform-synth-"));
  const app = new App({ outdir });
  await buildApp(app, config, options);
  app.synth();
  const stacksDir = join(outdir, "stacks");
  const texts = new Map(readdirSync(stacksDir).sort().map((name) => [name, readFileSync(join(stacksDir, name, "cdk.tf.json"), "utf8")]));
  rmSync(outdir, { recursive: true, force: true });
  return texts;
}

/**
 * The bundled stacks as the generic apply-order checks take them: name, JSON and the stacks deployed before it (the
 * `dependencies` cdktf's manifest.json records from the stack catalog).
 */
export function bundledStackEntries(): { name: string; json: SynthesizedStack; dependsOn: string[] }[] {
  const outdir = inject("bundledOutdir");
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as { stacks: Record<string, { name: string; dependencies: string[]; synthesizedStackPath: string }> };
  return Object.values(manifest.stacks)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((stack) => ({ name: stack.name, dependsOn: [...stack.dependencies], json: JSON.parse(readFileSync(join(outdir, stack.synthesizedStackPath), "utf8")) as SynthesizedStack }));
}

/** One bundled stack's synthesized JSON (see bundledSynth). */
export function bundledStackJson(name: string): Synthesized {
  return JSON.parse(readFileSync(join(inject("bundledOutdir"), "stacks", name, "cdk.tf.json"), "utf8")) as Synthesized;
}

/** Synthesized JSON of one stack as a string (the form cdktf's matchers take). */
export function synthString(stack: TerraformStack): string {
  return Testing.synth(stack);
}

export function synthJson(stack: TerraformStack): Synthesized {
  return JSON.parse(Testing.synth(stack)) as Synthesized;
}

/** Builds the selected stacks of `config` in a test app and returns them by name. */
export async function buildStacks(config: PlatformConfig, options: BuildOptions = {}): Promise<Map<string, TerraformStack>> {
  const app = Testing.app();
  const stacks = await buildApp(app, config, options);
  return new Map(stacks.map((stack) => [stack.node.id, stack]));
}

/** Resources of one Terraform type, keyed by their synthesized id. */
export function resourcesOf(json: Synthesized, type: string): Record<string, Record<string, unknown>> {
  return json.resource?.[type] ?? {};
}

export function resourceList(json: Synthesized, type: string): Record<string, unknown>[] {
  return Object.values(resourcesOf(json, type));
}

/** The only resource of `type` in `json`; fails naming the type and the count when there is not exactly one. */
export function onlyResource(json: Synthesized, type: string): Record<string, unknown> {
  const all = resourceList(json, type);
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0] as Record<string, unknown>;
}

export const TEST_ACCOUNT = { accountId: "123456789012", region: "eu-west-1" } as const;

/**
 * Synthesizes a construct under test in a stack with an AWS provider. Returns the JSON and the string form
 * (for cdktf's matchers).
 */
export function synthConstruct<T>(build: (scope: Construct) => T): { construct: T; json: Synthesized; text: string } {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  awsProvider(stack, "aws", { region: TEST_ACCOUNT.region, accountId: TEST_ACCOUNT.accountId, tags: {} });
  const construct = build(stack);
  const text = Testing.synth(stack);
  return { construct, json: JSON.parse(text) as Synthesized, text };
}

/**
 * `tempConfig` for one test file: every directory it makes is removed after the file's tests (call at module level).
 */
export function tempConfigsRemovedAfterAll(): (edits: Parameters<typeof tempConfig>[0]) => string {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  return (edits) => {
    const dir = tempConfig(edits);
    dirs.push(dir);
    return dir;
  };
}

/**
 * Copies the bundled configuration to a temporary directory and applies edits: `set` layers an object over a
 * YAML file (parsed), `write` replaces a file's raw text, `remove` deletes a file. Returns the directory.
 */
export function tempConfig(edits: {
  set?: Record<string, unknown>;
  write?: Record<string, string>;
  remove?: string[];
} = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "platform-config-"));
  // Data only: YAML files (the schemas and loader code stay in the repository).
  cpSync(BUNDLED_CONFIG_DIR, dir, {
    recursive: true,
    filter: (source) => !source.startsWith(join(BUNDLED_CONFIG_DIR, "schema")) && !source.endsWith(".ts"),
  });
  for (const [file, patch] of Object.entries(edits.set ?? {})) {
    const path = join(dir, file);
    const current = parse(readFileSync(path, "utf8")) as unknown;
    writeFileSync(path, stringify(layer(current, patch)));
  }
  for (const [file, text] of Object.entries(edits.write ?? {})) {
    const path = join(dir, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  for (const file of edits.remove ?? []) rmSync(join(dir, file), { force: true });
  return dir;
}
