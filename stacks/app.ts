/**
 * Composes the cdktf App from a validated configuration. The stack catalog is computed from configuration
 * alone, and the stack filter is applied before any stack is constructed, so a selective synth pays only for
 * the stacks it selects: each kind of stack's module (and the constructs behind it) is loaded only when a stack
 * of that kind is built — one tenant's stack out of a thousand does not load the environment stacks' constructs.
 */
import { join } from "node:path";
import picomatch from "picomatch";
import { displayPath } from "../config/source";
import { SUPPRESSIONS_FILE } from "../config/suppressions";
import type { App, TerraformStack } from "cdktf";
import type { PlatformConfig } from "../config/loader";
import type { EnvironmentConfig } from "../config/schema/environment";
import { applyPolicy, type PolicyOptions } from "../constructs/policy";
import type { AccountScope } from "../constructs/core/aws";
import { dnsStackOrder, planHostedZones, type EnvironmentZonePlan } from "../constructs/hosted-zones/rules";
import type { CiRoleKind } from "../constructs/core/ci-roles";
import type { Naming } from "../constructs/core/naming";
import { RUNNER_NAME } from "../constructs/ci-runner/rules";
import { accountDeployments, accountNamed, bootstrapAccount, environmentCiRoleArn, environmentContext, s3Backend, type BackendSettings } from "./context";
import { accountStackName, appliedBy, BOOTSTRAP_STACK, dedicatedTenantStackNames, dnsStackName, infraStackName, platformStackName, sharedTenantStackName, type Stage } from "./names";

export interface BuildOptions {
  /** Glob patterns (`prod-*`, `bootstrap`); a stack is built when it matches any. Empty: every stack. */
  readonly stackPatterns?: readonly string[];
  /**
   * Exact stack names to build, among those `stackPatterns` selects (a synthesis worker builds its share of a
   * selection this way; scripts/lib/synth). Names not in the catalog are ignored.
   * @default every stack `stackPatterns` selects
   */
  readonly stackNames?: readonly string[];
  /** Backend of the bootstrap stack: "s3" normally, "local" for its very first apply. @default "s3" */
  readonly bootstrapBackend?: "s3" | "local";
  /**
   * Directory of the bootstrap stack's local state (first apply): outside cdktf.out/, which every selective synth
   * deletes (config/runtime-options.ts checks it).
   * @default ".state" (relative to the working directory; main.ts passes an absolute path)
   */
  readonly bootstrapStateDir?: string;
}

export interface StackEntry {
  readonly name: string;
  /** The stage the stack belongs to (constructs/core/stack-names.ts STAGES: the order from an empty account). */
  readonly stage: Stage;
  /** Who applies it: CI, or an administrator (stacks holding the CI identity and the detective controls). */
  readonly appliedBy: "administrator" | "ci";
  /** The AWS account and region its default provider is pinned to. */
  readonly account: AccountScope;
  /** The account's name in project.yaml `accounts` (its `account-<name>` stack holds the CI roles). */
  readonly accountName: string;
  /** The environment it belongs to (its GitHub environment, CI roles and promotion order); none for bootstrap. */
  readonly environment?: string;
  /** The policy pack's settings for this stack (its environment's profile and threshold). */
  readonly policy: PolicyOptions;
  /** Stacks this one must be deployed after (when they are built too). */
  readonly dependsOn: readonly string[];
  /**
   * The CodeBuild project of the CI runner inside the VPC of the cluster this stack reaches (platform and tenant
   * stages: CI plans and applies it from there); absent for stacks GitHub-hosted runners plan and apply.
   */
  readonly runner?: string;
  /** Loads the stack's module (once per process) and constructs the stack in `app`. */
  build(app: App): Promise<TerraformStack>;
}

export class StackSelectionError extends Error {}

/** Every stack the configuration defines, in deployment order. */
export function stackCatalog(config: PlatformConfig, options: BuildOptions = {}): StackEntry[] {
  // Administrator stacks keep their state under stacks/; each environment's stacks under environments/<env>/.
  const backend = s3Backend(config.project);
  const backendOf = (environment: string) => s3Backend(config.project, environment);
  const suppressions = config.suppressions;
  const suppressionsFile = displayPath(join(config.directory, SUPPRESSIONS_FILE));
  const policyFor = (environment: EnvironmentConfig): PolicyOptions => ({ profile: environment.profile, failAt: environment.policy.failAt, suppressions, suppressionsFile });
  const bootstrapBackend: BackendSettings =
    options.bootstrapBackend === "local" ? { kind: "local", directory: options.bootstrapStateDir ?? ".state" } : backend;
  const bootstrapScope = { account: bootstrapAccount(config.project), accountName: config.project.bootstrap.account };
  const entries: StackEntry[] = [
    // The bootstrap stack holds every stack's state: checked as production.
    { name: BOOTSTRAP_STACK, stage: "bootstrap", appliedBy: appliedBy("bootstrap"), ...bootstrapScope, dependsOn: [], policy: { profile: "production", suppressions, suppressionsFile }, build: async (app) => new (await import("./bootstrap")).BootstrapStack(app, config, bootstrapBackend) },
  ];
  // One baseline per account holding a stack: the CI identity, the boundary, service-linked roles, detective controls.
  for (const [accountName, deployments] of accountDeployments(config)) {
    const settings = accountNamed(config.project, accountName);
    const name = accountStackName(accountName);
    entries.push({
      name,
      stage: "account",
      appliedBy: appliedBy("account"),
      account: { accountId: settings.id, region: settings.region },
      accountName,
      dependsOn: [BOOTSTRAP_STACK],
      policy: { profile: "production", suppressions, suppressionsFile },
      build: async (app) => new (await import("./account")).AccountStack(app, config, accountName, deployments, backend),
    });
  }
  // The DNS stage: each environment's hosted zones and delegations, before any infra stack requests certificates.
  const zones = environmentZonePlans(config);
  const dnsOrder = dnsStackOrder(zones);
  if (dnsOrder.cycle) throw new Error(`hosted zones of environments ${dnsOrder.cycle.join(" -> ")} delegate to each other in a cycle`); // the loader rejects this first
  const byName = new Map(config.environments.map(({ config: environment }) => [environment.name, environment]));
  for (const name of dnsOrder.order) {
    const environment = byName.get(name) as EnvironmentConfig;
    const plan = zones.get(name) as EnvironmentZonePlan;
    const context = environmentContext(config.project, environment);
    const dns = dnsStackName(name);
    entries.push({
      name: dns,
      stage: "dns",
      appliedBy: appliedBy("dns"),
      account: context.account,
      accountName: context.accountName,
      environment: name,
      // Applied with the environment's CI roles, which the account stack creates.
      dependsOn: [accountStackName(context.accountName), ...plan.dnsAfterDnsOf.map(dnsStackName)],
      policy: policyFor(environment),
      build: async (app) => new (await import("./dns")).DnsStack(app, dns, context, backendOf(name), plan),
    });
  }
  /** DNS stacks an environment's infra (and a dedicated tenant's) waits for: the zones its domains use exist and are delegated. */
  const dnsBefore = (environment: string): string[] => (zones.get(environment)?.infraAfterDnsOf ?? []).map(dnsStackName);
  for (const { config: environment } of config.environments) {
    const context = environmentContext(config.project, environment);
    const infra = infraStackName(environment.name);
    const policy = policyFor(environment);
    const scope = { account: context.account, accountName: context.accountName, environment: environment.name };
    const baseline = accountStackName(context.accountName);
    const stateBackend = backendOf(environment.name);
    entries.push({ name: infra, stage: "infra", appliedBy: appliedBy("infra"), ...scope, dependsOn: [baseline, ...dnsBefore(environment.name)], policy, build: async (app) => new (await import("./infra")).InfraStack(app, infra, context, stateBackend) });
    const platform = platformStackName(environment.name);
    entries.push({ name: platform, stage: "platform", appliedBy: appliedBy("platform"), ...scope, dependsOn: [infra], policy, runner: runnerProject(context.naming), build: async (app) => new (await import("./platform")).PlatformStack(app, platform, context, stateBackend) });
  }
  const environments = new Map(config.environments.map(({ config: environment }) => [environment.name, environment]));
  for (const { config: tenant, products, environment: settings } of config.tenants) {
    const environment = environments.get(tenant.environment);
    if (!environment) throw new Error(`tenant ${tenant.id}: unknown environment ${tenant.environment}`); // the loader rejects this first
    if (tenant.isolation === "shared") {
      const name = sharedTenantStackName(environment.name, tenant.id);
      const context = environmentContext(config.project, settings, tenant);
      const stateBackend = backendOf(environment.name);
      entries.push({ name, stage: "tenant", appliedBy: appliedBy("tenant"), account: context.account, accountName: context.accountName, environment: environment.name, dependsOn: [platformStackName(environment.name)], policy: policyFor(environment), runner: runnerProject(context.naming.withoutTenant()), build: async (app) => new (await import("./tenant")).SharedTenantStack(app, name, context, stateBackend, products) });
    } else {
      const names = dedicatedTenantStackNames(tenant.id);
      // Its own VPC and cluster run the products of the tenant file (on the tenant's domains), with its own sizes and backup policy.
      const context = environmentContext(config.project, settings, tenant);
      const policy = policyFor(environment);
      // A dedicated tenant's stacks are stages of its environment: infra, then platform (its own cluster).
      const scope = { account: context.account, accountName: context.accountName, environment: environment.name };
      const stateBackend = backendOf(environment.name);
      // Its platform stack issues certificates for the tenant's domains in the environment's zones.
      entries.push({ name: names.infra, stage: "infra", appliedBy: appliedBy("infra"), ...scope, dependsOn: [accountStackName(context.accountName), ...dnsBefore(environment.name)], policy, build: async (app) => new (await import("./infra")).InfraStack(app, names.infra, context, stateBackend) });
      entries.push({ name: names.platform, stage: "platform", appliedBy: appliedBy("platform"), ...scope, dependsOn: [names.infra], policy, runner: runnerProject(context.naming), build: async (app) => new (await import("./platform")).PlatformStack(app, names.platform, context, stateBackend) });
    }
  }
  return entries;
}

/** The CodeBuild project of the CI runner in the VPC of a naming scope (an environment, or a dedicated tenant). */
export function runnerProject(naming: Naming): string {
  return naming.name("codebuild-project", RUNNER_NAME);
}

/** The DNS stage of every environment, planned from the environments' `edge.domains` (constructs/hosted-zones/rules.ts). */
export function environmentZonePlans(config: Pick<PlatformConfig, "environments">): Map<string, EnvironmentZonePlan> {
  return planHostedZones(
    config.environments.map(({ config: environment }) => ({ name: environment.name, accountId: environment.account.id, domains: environment.edge.domains })),
  );
}

/**
 * The CI role a job assumes for a stack: its environment's plan or deploy role in the stack's account (CI
 * authenticates directly into that account), with the region to call STS in. Undefined for the stacks an
 * administrator applies. The one place workflows get role ARNs from.
 */
export function ciRoleForStack(config: PlatformConfig, entry: StackEntry, kind: CiRoleKind): { readonly arn: string; readonly region: string } | undefined {
  if (entry.appliedBy !== "ci" || entry.environment === undefined) return undefined;
  return { arn: environmentCiRoleArn(config.project, entry.environment, entry.account, kind), region: entry.account.region };
}

/** Names of the stacks selected by `patterns`; throws when a pattern selects nothing. */
export function selectStacks(allNames: readonly string[], patterns: readonly string[] = []): string[] {
  if (patterns.length === 0) return [...allNames];
  const selected = new Set<string>();
  for (const pattern of patterns) {
    const matches = allNames.filter((name) => picomatch.isMatch(name, pattern));
    if (matches.length === 0) {
      throw new StackSelectionError(`STACKS pattern "${pattern}" matches no stack. Stacks: ${allNames.join(", ")}`);
    }
    matches.forEach((name) => selected.add(name));
  }
  return allNames.filter((name) => selected.has(name));
}

/** Builds the selected stacks into `app`, in catalog order, and records deployment order between the ones built. */
export async function buildApp(app: App, config: PlatformConfig, options: BuildOptions = {}): Promise<TerraformStack[]> {
  const catalog = stackCatalog(config, options);
  const only = options.stackNames ? new Set(options.stackNames) : undefined;
  const selected = new Set(selectStacks(catalog.map((entry) => entry.name), options.stackPatterns).filter((name) => only?.has(name) ?? true));
  const built = new Map<string, TerraformStack>();
  for (const entry of catalog) {
    if (!selected.has(entry.name)) continue;
    const stack = await entry.build(app);
    applyPolicy(stack, entry.policy); // the policy pack fails synthesis on findings at or above the threshold
    for (const dependency of entry.dependsOn) {
      const other = built.get(dependency);
      if (other) stack.addDependency(other);
    }
    built.set(entry.name, stack);
  }
  return [...built.values()];
}
