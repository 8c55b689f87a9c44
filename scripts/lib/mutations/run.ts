/**
 * Runs the mutation suite: synthesizes the configuration once (the baseline must pass the policy pack), then applies
 * each mutation alone and checks that it is caught by the expected rule — a failing finding of that rule in the
 * mutated stack, or for configuration mutations a configuration error at the expected key. Stack mutations patch a
 * deep copy of one synthesized stack and are evaluated with the other stacks as peers (cross-stack rules see them);
 * configuration mutations copy the configuration directory, make one edit, load it and synthesize only the stacks
 * they name.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../../config/errors";
import { loadConfig, type PlatformConfig } from "../../../config/loader";
import { evaluateStack, failing, passed, type StackEvaluation } from "../../../constructs/policy/engine";
import { StackModel, type SynthesizedStack } from "../../../constructs/policy/model";
import { ruleById } from "../../../constructs/policy/rules";
import { failAtOf, profileOf, readSynthesized, synthesizeBundled } from "../bundled";
import { configMutations } from "./configuration";
import { DATA_MUTATIONS } from "./data";
import { IDENTITY_MUTATIONS } from "./identity";
import { KUBERNETES_MUTATIONS } from "./kubernetes";
import { NETWORK_MUTATIONS } from "./network";
import type { ConfigMutation, Expectation, Mutation, StackMutation } from "./types";

/** Every mutation of the suite, for a clock (suppression expiries are relative to it). */
export function allMutations(now: Date): readonly Mutation[] {
  return [...NETWORK_MUTATIONS, ...DATA_MUTATIONS, ...IDENTITY_MUTATIONS, ...KUBERNETES_MUTATIONS, ...configMutations(now)];
}

export interface MutationResult {
  readonly id: string;
  readonly description: string;
  readonly expected: string;
  readonly caught: boolean;
  /** What the pack reported instead (failing rules, configuration keys) or why the mutation could not be applied. */
  readonly observed: readonly string[];
}

export interface SuiteResult {
  readonly results: readonly MutationResult[];
  readonly caught: number;
  readonly total: number;
  /** Baseline stacks that do not pass the pack (the suite is meaningless then). */
  readonly baselineFailures: readonly string[];
}

export interface SuiteOptions {
  /** The configuration directory to mutate (a copy is edited; the directory itself never is). */
  readonly configDir: string;
  /** Clock for suppression expiry and the gate's one-year limit. */
  readonly now: Date;
  /** Only these mutation ids. @default all */
  readonly only?: readonly string[];
  /**
   * An output directory holding a synthesis of every stack of `configDir` (manifest.json and stacks, as `npm run
   * synth` writes it) to use as the unmutated baseline instead of synthesizing it again (the test suite passes the
   * synthesis its global setup made). @default synthesized here
   */
  readonly baselineFrom?: string;
}

function describeExpectation(expect: Expectation): string {
  return typeof expect === "string" ? expect : `configuration error at ${expect.config}`;
}

function evaluate(name: string, json: SynthesizedStack, config: PlatformConfig, now: Date, peers: readonly StackModel[]): StackEvaluation {
  const failAt = failAtOf(json, config);
  return evaluateStack(new StackModel(json, name), { stack: name, profile: profileOf(json, config), ...(failAt ? { failAt } : {}), suppressions: config.suppressions, now, peers, complete: true });
}

function verdict(evaluation: StackEvaluation, rule: string): { caught: boolean; observed: string[] } {
  const rules = [...new Set(failing(evaluation).map((finding) => finding.rule))];
  const errors = evaluation.errors.filter((error) => error.includes(rule));
  return { caught: rules.includes(rule) || errors.length > 0, observed: rules.length > 0 || evaluation.errors.length > 0 ? [...rules, ...evaluation.errors] : ["no failing finding"] };
}

function copyConfig(configDir: string): string {
  const directory = mkdtempSync(join(tmpdir(), "platform-mutation-"));
  // Data only, as an operator's directory: YAML files (the schemas and loader code stay in the repository).
  cpSync(configDir, directory, { recursive: true, filter: (source) => !source.startsWith(join(configDir, "schema")) && !source.endsWith(".ts") });
  return directory;
}

function runStackMutation(mutation: StackMutation, baseline: ReadonlyMap<string, SynthesizedStack>, models: ReadonlyMap<string, StackModel>, config: PlatformConfig, now: Date): MutationResult {
  const base = { id: mutation.id, description: mutation.description, expected: describeExpectation(mutation.expect) };
  const original = baseline.get(mutation.stack);
  if (!original) return { ...base, caught: false, observed: [`stack ${mutation.stack} is not synthesized`] };
  const json = structuredClone(original);
  try {
    mutation.apply(json);
  } catch (error) {
    return { ...base, caught: false, observed: [`not applied: ${error instanceof Error ? error.message : String(error)}`] };
  }
  const left = new Set([mutation.stack, ...(mutation.withoutPeers ?? [])]);
  const peers = [...models].filter(([name]) => !left.has(name)).map(([, model]) => model);
  return { ...base, ...verdict(evaluate(mutation.stack, json, config, now, peers), mutation.expect as string) };
}

async function runConfigMutation(mutation: ConfigMutation, options: SuiteOptions, models: ReadonlyMap<string, StackModel>): Promise<MutationResult> {
  const base = { id: mutation.id, description: mutation.description, expected: describeExpectation(mutation.expect) };
  const directory = copyConfig(options.configDir);
  try {
    try {
      mutation.edit(directory);
    } catch (error) {
      return { ...base, caught: false, observed: [`not applied: ${error instanceof Error ? error.message : String(error)}`] };
    }
    let config: PlatformConfig;
    try {
      config = loadConfig(directory, { now: options.now });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const keys = error.issues.map((issue) => issue.path.join("."));
      const expected = typeof mutation.expect === "string" ? undefined : mutation.expect.config;
      return { ...base, caught: expected !== undefined && keys.includes(expected), observed: error.issues.map((issue) => `configuration error at ${issue.path.join(".")}: ${issue.message}`) };
    }
    if (typeof mutation.expect !== "string") return { ...base, caught: false, observed: ["the configuration was accepted"] };
    const rule = mutation.expect;
    const outdir = await synthesizeBundled(config, { stackPatterns: mutation.stacks ?? [] });
    try {
      const stacks = readSynthesized(outdir);
      const observed: string[] = [];
      for (const [name, json] of stacks) {
        const peers = [...models].filter(([peer]) => !stacks.has(peer)).map(([, model]) => model);
        const result = verdict(evaluate(name, json, config, options.now, peers), rule);
        if (result.caught) return { ...base, caught: true, observed: result.observed };
        observed.push(...result.observed.map((item) => `${name}: ${item}`));
      }
      if (stacks.size === 0) observed.push(`no stack matches ${(mutation.stacks ?? []).join(", ")}`);
      return { ...base, caught: false, observed };
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Runs the suite. Unknown expected rule ids are reported as not caught (a typo never passes). */
export async function runMutationSuite(options: SuiteOptions): Promise<SuiteResult> {
  const config = loadConfig(options.configDir, { now: options.now });
  let baseline: Map<string, SynthesizedStack>;
  if (options.baselineFrom) {
    baseline = readSynthesized(options.baselineFrom);
  } else {
    const outdir = await synthesizeBundled(config);
    baseline = readSynthesized(outdir);
    rmSync(outdir, { recursive: true, force: true });
  }
  const models = new Map([...baseline].map(([name, json]) => [name, new StackModel(json, name)]));
  const baselineFailures = [...baseline]
    .map(([name, json]) => ({ name, evaluation: evaluate(name, json, config, options.now, [...models].filter(([peer]) => peer !== name).map(([, model]) => model)) }))
    .filter(({ evaluation }) => !passed(evaluation))
    .map(({ name, evaluation }) => `${name}: ${[...failing(evaluation).map((finding) => `${finding.rule} ${finding.path}`), ...evaluation.errors].join("; ")}`);

  const selected = allMutations(options.now).filter((mutation) => !options.only || options.only.includes(mutation.id));
  const results: MutationResult[] = [];
  for (const mutation of selected) {
    if (typeof mutation.expect === "string" && !ruleById(mutation.expect)) {
      results.push({ id: mutation.id, description: mutation.description, expected: mutation.expect, caught: false, observed: [`${mutation.expect} is not a rule of the pack`] });
    } else if (mutation.kind === "stack") {
      results.push(runStackMutation(mutation, baseline, models, config, options.now));
    } else {
      results.push(await runConfigMutation(mutation, options, models));
    }
  }
  return { results, caught: results.filter((result) => result.caught).length, total: results.length, baselineFailures };
}
