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
