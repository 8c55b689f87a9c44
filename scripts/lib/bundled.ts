/**
 * Shared by the guardrail scripts (policy, review, addresses): synthesize the bundled configuration into an
 * output directory, read synthesized stacks back, and find the profile each stack is evaluated with.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import type { PlatformConfig } from "../../config/loader";
import type { Profile } from "../../config/schema/environment";
import { dig, one, type SynthesizedStack } from "../../constructs/policy/model";
import { buildApp } from "../../stacks/app";

/** Synthesizes the selected stacks without running validations (the policy reports findings instead of failing). */
export async function synthesizeBundled(config: PlatformConfig, options: { outdir?: string; stackPatterns?: readonly string[] } = {}): Promise<string> {
  const outdir = options.outdir ?? mkdtempSync(join(tmpdir(), "platform-synth-"));
  const app = new App({ outdir, skipValidation: true });
  await buildApp(app, config, options.stackPatterns ? { stackPatterns: options.stackPatterns } : {});
  app.synth();
  return outdir;
}

interface Manifest {
  readonly stacks: Record<string, { readonly synthesizedStackPath: string; readonly dependencies?: readonly string[] }>;
}

/** The synthesized stacks of an output directory (its manifest.json), by name, in manifest order. */
export function readSynthesized(outdir: string): Map<string, SynthesizedStack> {
  const manifestPath = join(outdir, "manifest.json");
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath} not found: synthesize first (npm run synth)`);
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
  return new Map(
    Object.entries(manifest.stacks).map(([name, entry]) => [name, JSON.parse(readFileSync(join(outdir, entry.synthesizedStackPath), "utf8")) as SynthesizedStack]),
  );
}

/** The `Environment` default tag of a stack's AWS provider (every environment and tenant stack carries it). */
export function environmentOf(json: SynthesizedStack): string | undefined {
  const provider = one(json.provider?.aws);
  const environment = dig(one(dig(provider, "default_tags")), "tags", "Environment");
  return typeof environment === "string" ? environment : undefined;
}

/**
 * The profile a stack is evaluated with: its environment's profile. Project-wide stacks without an
 * environment (bootstrap: state bucket and CI identity) get the strictest profile, production.
 */
export function profileOf(json: SynthesizedStack, config: PlatformConfig | undefined): Profile {
  const name = environmentOf(json);
  const environment = config?.environments.find((item) => item.config.name === name);
  return environment?.config.profile ?? "production";
}

/** The environment's configured threshold, if the stack belongs to one. */
export function failAtOf(json: SynthesizedStack, config: PlatformConfig | undefined) {
  const name = environmentOf(json);
  return config?.environments.find((item) => item.config.name === name)?.config.policy.failAt;
}
