/**
 * Every operation the preflight declares is a command of the SDK client it names, so the live layer sends what the
 * recorded layer replays (the record below is exhaustive: the compiler rejects a missing or unknown operation).
 */
import { describe, expect, it } from "vitest";
import { SDK_CLIENTS, type OperationName } from "../../../../scripts/lib/preflight/operations";

const OPERATIONS: Record<OperationName, true> = {
  "sts:GetCallerIdentity": true,
  "iam:GetRole": true,
  "iam:ListRoles": true,
  "route53:ListHostedZonesByName": true,
  "route53:GetHostedZone": true,
  "route53:ListResourceRecordSets": true,
  "ec2:DescribeInstanceTypeOfferings": true,
  "ec2:DescribeVpcs": true,
  "ec2:DescribeInternetGateways": true,
  "ec2:DescribeAddresses": true,
  "ec2:DescribeNatGateways": true,
  "ec2:DescribeSubnets": true,
  "ec2:DescribeVpcEndpoints": true,
  "rds:DescribeDBEngineVersions": true,
  "rds:DescribeOrderableDBInstanceOptions": true,
  "docdb:DescribeDBEngineVersions": true,
  "docdb:DescribeOrderableDBInstanceOptions": true,
  "elasticache:DescribeCacheEngineVersions": true,
  "opensearch:ListVersions": true,
  "opensearch:ListInstanceTypeDetails": true,
  "mq:DescribeBrokerEngineTypes": true,
  "mq:DescribeBrokerInstanceOptions": true,
  "eks:DescribeClusterVersions": true,
  "eks:DescribeAddonVersions": true,
  "eks:ListClusters": true,
  "ssm:GetParameter": true,
  "service-quotas:GetServiceQuota": true,
  "service-quotas:GetAWSDefaultServiceQuota": true,
  "elbv2:DescribeLoadBalancers": true,
  "elbv2:DescribeTags": true,
  "s3:ListObjectsV2": true,
  "s3:GetObject": true,
  "secretsmanager:ListSecrets": true,
  "codestar-connections:GetConnection": true,
  "dns:ResolveNs": true,
  "dns:Resolve4": true,
  "dns:QueryNs": true,
};

describe("the preflight's operations", () => {
  it("are read-only (Describe, Get, List, Resolve, Query)", () => {
    for (const operation of Object.keys(OPERATIONS)) expect(operation.split(":")[1], operation).toMatch(/^(Describe|Get|List|Resolve|Query)/);
  });

  it("each AWS one is a command of the SDK package and client the live layer loads", async () => {
    for (const operation of Object.keys(OPERATIONS).filter((name) => !name.startsWith("dns:"))) {
      const [service, name] = operation.split(":") as [string, string];
      const sdk = SDK_CLIENTS[service];
      expect(sdk, `${operation}: no SDK client for ${service}`).toBeDefined();
      const module = (await import(sdk?.module as string)) as Record<string, unknown>;
      expect(typeof module[sdk?.client as string], `${sdk?.module} exports ${sdk?.client}`).toBe("function");
      expect(typeof module[`${name}Command`], `${sdk?.module} exports ${name}Command`).toBe("function");
    }
  });
});
