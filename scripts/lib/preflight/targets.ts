/**
 * The stacks a preflight run checks: selected by name or glob from the stack catalog, synthesized in-process (or read
 * from an existing synthesis), together with every DNS stack — zones are created and delegated there, so the zone
 * requirements of an infra or platform stack need them (constructs/policy/zones.ts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import type { PlatformConfig } from "../../../config/loader";
import type { EnvironmentConfig } from "../../../config/schema/environment";
import { StackModel, type SynthesizedStack } from "../../../constructs/policy/model";
import { buildApp, selectStacks, stackCatalog, type StackEntry } from "../../../stacks/app";
import { disableTokenStackTraces } from "../../../stacks/fast-synth";
import { dedicatedTenantStackNames, sharedTenantStackName } from "../../../stacks/names";
import { stateLocation } from "./state";
import type { PreflightTarget } from "./types";

export class PreflightUsageError extends Error {}

export interface TargetOptions {
  /** A cdktf output directory to read the stacks from (`<dir>/stacks/<stack>/cdk.tf.json`) instead of synthesizing. */
  readonly synthesized?: string;
}

/** The configuration each stack is built from: its environment's, or its tenant's environment with the tenant applied. */
export function environmentsByStack(config: PlatformConfig, catalog: readonly StackEntry[]): Map<string, EnvironmentConfig> {
  const out = new Map<string, EnvironmentConfig>();
  const environments = new Map(config.environments.map(({ config: environment }) => [environment.name, environment]));
  for (const entry of catalog) if (entry.environment !== undefined && environments.has(entry.environment)) out.set(entry.name, environments.get(entry.environment) as EnvironmentConfig);
  for (const tenant of config.tenants) {
    const names = tenant.config.isolation === "shared" ? [sharedTenantStackName(tenant.config.environment, tenant.config.id)] : Object.values(dedicatedTenantStackNames(tenant.config.id));
    for (const name of names) out.set(name, tenant.environment);
  }
  return out;
}

async function synthesize(config: PlatformConfig, names: readonly string[]): Promise<Map<string, SynthesizedStack>> {
  disableTokenStackTraces();
  const outdir = mkdtempSync(join(tmpdir(), "platform-preflight-"));
  try {
    const app = new App({ outdir });
    const stacks = await buildApp(app, config, { stackPatterns: [...names] });
    app.synth();
    return new Map(stacks.map((stack) => [stack.node.id, JSON.parse(readFileSync(join(outdir, "stacks", stack.node.id, "cdk.tf.json"), "utf8")) as SynthesizedStack]));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function readSynthesized(directory: string, names: readonly string[], required: ReadonlySet<string>): Map<string, SynthesizedStack> {
  const out = new Map<string, SynthesizedStack>();
  for (const name of names) {
    const file = join(directory, "stacks", name, "cdk.tf.json");
    if (!existsSync(file)) {
      if (required.has(name)) throw new PreflightUsageError(`${file} does not exist: synthesize the stack first (STACKS='${name}' npm run synth), or leave out --synthesized`);
      continue;
    }
    out.set(name, JSON.parse(readFileSync(file, "utf8")) as SynthesizedStack);
  }
  return out;
}

/** The targets of `patterns` (stack names or globs), in catalog order. */
export async function buildTargets(config: PlatformConfig, patterns: readonly string[], options: TargetOptions = {}): Promise<PreflightTarget[]> {
  if (patterns.length === 0) throw new PreflightUsageError("name the stacks to check (names or globs, e.g. prod-infra or 'prod-*')");
  const catalog = stackCatalog(config);
  const selected = selectStacks(
    catalog.map((entry) => entry.name),
    patterns,
  );
  const needed = catalog.filter((entry) => selected.includes(entry.name) || entry.stage === "dns").map((entry) => entry.name);
  const jsons = options.synthesized ? readSynthesized(options.synthesized, needed, new Set(selected)) : await synthesize(config, needed);
  const models = new Map([...jsons].map(([name, json]) => [name, new StackModel(json, name)] as const));
  const environments = environmentsByStack(config, catalog);
  return catalog
    .filter((entry) => selected.includes(entry.name))
    .map((entry): PreflightTarget => {
      const model = models.get(entry.name) as StackModel;
      const state = stateLocation(entry.name, model.json);
      const environment = environments.get(entry.name);
      return {
        stack: entry.name,
        entry: { name: entry.name, stage: entry.stage, appliedBy: entry.appliedBy, account: entry.account, accountName: entry.accountName, ...(entry.environment !== undefined ? { environment: entry.environment } : {}), dependsOn: entry.dependsOn },
        model,
        models,
        config,
        ...(environment ? { environment } : {}),
        ...(state ? { state } : {}),
      };
    });
}
