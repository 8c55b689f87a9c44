/**
 * Stack names: construct ids of the stacks and the last segment of their state keys, so part of the API (renaming
 * one orphans its state). Kept apart from the stack classes so the catalog, the tenant command and the workflow
 * generator can name stacks without loading the constructs behind them.
 */

export const BOOTSTRAP_STACK = "bootstrap";

export function infraStackName(environment: string): string {
  return `${environment}-infra`;
}

export function platformStackName(environment: string): string {
  return `${environment}-platform`;
}

export function sharedTenantStackName(environment: string, tenant: string): string {
  return `${environment}-tenant-${tenant}`;
}

export function dedicatedTenantStackNames(tenant: string): { infra: string; platform: string } {
  return { infra: `tenant-${tenant}-infra`, platform: `tenant-${tenant}-platform` };
}

/** An AWS account's baseline stack (`account-<name>`, `name` from project.yaml `accounts`): applied by an administrator. */
export function accountStackName(account: string): string {
  return `account-${account}`;
}

/** An environment's DNS stage (`<env>-dns`): its hosted zones, applied and delegated before `<env>-infra`. */
export function dnsStackName(environment: string): string {
  return `${environment}-dns`;
}

/**
 * Stages from an empty account to running workloads, in order. A stack of one stage is applied only after every
 * stack of the earlier stages it depends on (the catalog records the dependencies); `bootstrap` and `account`
 * stages are applied by an administrator, the others by CI.
 */
export const STAGES = ["bootstrap", "account", "dns", "infra", "platform", "tenant"] as const;
export type Stage = (typeof STAGES)[number];

/** Who applies a stage's stacks: CI never applies the stacks that hold its own identity and the detective controls. */
export function appliedBy(stage: Stage): "administrator" | "ci" {
  return stage === "bootstrap" || stage === "account" ? "administrator" : "ci";
}
