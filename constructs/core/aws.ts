/**
 * AWS provider factory and ARN helpers. Every AWS provider of every stack comes from `awsProvider`, so each pins
 * its region and allowed account and carries the standard tags.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { Construct } from "constructs";

export interface AwsProviderProps {
  readonly region: string;
  readonly accountId: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Alias for an additional provider (e.g. `us-east-1` for CloudFront certificates, `dr` for backups). */
  readonly alias?: string;
}

export function awsProvider(scope: Construct, id: string, props: AwsProviderProps): AwsProvider {
  return new AwsProvider(scope, id, {
    region: props.region,
    allowedAccountIds: [props.accountId],
    defaultTags: [{ tags: { ...props.tags } }],
    ...(props.alias ? { alias: props.alias } : {}),
  });
}

/** ARN partition of a region. */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** DNS suffix of service principals and endpoints in a region's partition. */
export function dnsSuffixOf(region: string): string {
  return region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
}

export interface AccountScope {
  readonly accountId: string;
  readonly region: string;
}

/** ARN of the account root principal (used in key policies to delegate to IAM). */
export function accountRootArn(scope: AccountScope): string {
  return `arn:${partitionOf(scope.region)}:iam::${scope.accountId}:root`;
}

/** ARN of an IAM role known by name (e.g. a role another stack creates), so stacks need no cross-stack references. */
export function roleArn(scope: AccountScope, roleName: string): string {
  return `arn:${partitionOf(scope.region)}:iam::${scope.accountId}:role/${roleName}`;
}

/** ARN of a KMS alias. */
export function kmsAliasArn(scope: AccountScope, alias: string): string {
  return `arn:${partitionOf(scope.region)}:kms:${scope.region}:${scope.accountId}:${alias}`;
}

/** Service principal such as `logs.eu-west-1.amazonaws.com` or `rds.amazonaws.com`. */
export function servicePrincipal(service: string, region?: string): string {
  const suffix = dnsSuffixOf(region ?? "");
  return region ? `${service}.${region}.${suffix}` : `${service}.${suffix}`;
}
