/**
 * Every preflight check over the bundled configuration's synthesized stacks, answered by the recorded responses of
 * test/fixtures/aws (a prod account prepared for its first apply: account-main and prod-dns applied, the delegation
 * at example.com done, the permission sets assigned). Each check passes on them, and each fails on a deliberately
 * broken answer put in front of them (the recorded layer takes the most specific response, the earlier source first).
 */
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { memoized, recordedApi, type RecordedResponses } from "../../../../scripts/lib/preflight/aws";
import { CHECKS } from "../../../../scripts/lib/preflight/checks";
import { runPreflight, summarize, type CheckReport } from "../../../../scripts/lib/preflight/run";
import { buildTargets } from "../../../../scripts/lib/preflight/targets";
import type { PreflightTarget } from "../../../../scripts/lib/preflight/types";
import { bundledConfig, ROOT } from "../../../support/synth";

const FIXTURES = join(ROOT, "test", "fixtures", "aws");
const BUCKET = "acme-tfstate-111111111111-eu-west-1";

let targets: PreflightTarget[];

beforeAll(async () => {
  targets = await buildTargets(bundledConfig(), ["prod-*", "account-main"], { synthesized: inject("bundledOutdir") });
});

function target(stack: string): PreflightTarget {
  const found = targets.find((candidate) => candidate.stack === stack);
  if (!found) throw new Error(`no target ${stack}`);
  return found;
}

/** The report of one check on one stack, with `overlay` answered before the recorded fixtures. */
async function check(stack: string, id: string, overlay: RecordedResponses = {}): Promise<CheckReport> {
  const selected = CHECKS.filter((candidate) => candidate.id === id);
  expect(selected, id).toHaveLength(1);
  const [report] = await runPreflight([target(stack)], memoized(recordedApi([overlay, FIXTURES])), selected);
  return report?.checks[0] as CheckReport;
}

function messages(report: CheckReport): string[] {
  if (report.status === "failed") return [`could not check: ${report.error}`];
  return report.problems.map((item) => `${item.severity}: ${item.subject} ${item.message} | fix: ${item.fix}`);
}

describe("the recorded prod account passes every check", () => {
  it("no errors and no check that could not run; only the secrets the first apply creates empty are warnings", async () => {
    const reports = await runPreflight(
      targets.filter((candidate) => candidate.stack.startsWith("prod-")),
      memoized(recordedApi([FIXTURES])),
    );
    const summary = summarize(reports);
    expect(reports.flatMap((report) => report.checks.filter((item) => item.status === "failed").map((item) => `${report.stack} ${item.id}: ${item.error}`))).toEqual([]);
    expect(summary).toMatchObject({ errors: 0, failedChecks: 0, exitCode: 0 });
    const warned = reports.flatMap((report) => report.checks.filter((item) => item.problems.length > 0).map((item) => `${report.stack} ${item.id}`));
    expect(warned).toEqual(["prod-platform secrets", "prod-tenant-globex secrets"]);
    const infra = reports.find((report) => report.stack === "prod-infra");
    expect(Object.fromEntries(infra?.checks.map((item) => [item.id, item.status]) ?? [])).toEqual({
      "state-key": "ok",
      zones: "ok",
      principals: "ok",
      "service-linked-roles": "ok",
      secrets: "not-applicable",
      versions: "ok",
      "instance-types": "ok",
      quotas: "ok",
      connections: "not-applicable",
    });
  });
});

describe("state key", () => {
  it("refuses a stack whose legacy state object exists while the new one does not, with the migration command", async () => {
    const report = await check("prod-infra", "state-key", {
      "s3:ListObjectsV2": [{ input: { Bucket: BUCKET, Prefix: "stacks/prod-infra/terraform.tfstate" }, output: { Contents: [{ Key: "stacks/prod-infra/terraform.tfstate", Size: 812_331 }], KeyCount: 1 } }],
    });
    expect(report.status).toBe("problems");
    expect(messages(report).join("\n")).toMatch(/^error: state of prod-infra .*stacks\/prod-infra\/terraform\.tfstate.*\| fix: npm run state -- migrate/s);
  });
});

describe("zones", () => {
  it("fails when a parent server still delegates a zone to other name servers (ACM could not validate)", async () => {
    const report = await check("prod-infra", "zones", {
      "dns:QueryNs": [{ input: { Server: "199.43.133.53", Name: "noor.example.com" }, output: { Rcode: "NOERROR", Authoritative: false, Answer: [], Authority: ["ns-1.awsdns-00.com", "ns-2.awsdns-00.net"] } }],
    });
    expect(messages(report)).toEqual([expect.stringMatching(/^error: zone noor\.example\.com not delegated as ACM needs: .*b\.iana-servers\.net: ns-1\.awsdns-00\.com, ns-2\.awsdns-00\.net \| fix: add an NS record named noor\.example\.com in example\.com .* ns-1166\.awsdns-17\.org/)]);
  });

  it("fails when the parent answers without NS records for the zone, or the parent has no name servers", async () => {
    const none = await check("prod-infra", "zones", { "dns:QueryNs": [{ input: { Server: "199.43.135.53", Name: "acme.example.com" }, output: { Rcode: "NOERROR", Authoritative: true, Answer: [], Authority: [] } }] });
    expect(messages(none)).toEqual([expect.stringContaining("a.iana-servers.net: no NS records for acme.example.com")]);
    const orphan = await check("prod-infra", "zones", { "dns:ResolveNs": [{ input: { Name: "example.com" }, error: { name: "ENOTFOUND", message: "queryNs ENOTFOUND example.com" } }] });
    expect(messages(orphan)).toHaveLength(4);
    expect(messages(orphan)[0]).toMatch(/the parent domain example\.com has no public name servers \(ENOTFOUND\)/);
  });

  it("fails when the zone does not exist (apply the DNS stack first) or exists twice", async () => {
    const missing = await check("prod-tenant-globex", "zones", { "route53:ListHostedZonesByName": [{ input: { DNSName: "noor.example.com" }, output: { HostedZones: [], IsTruncated: false } }] });
    expect(messages(missing)).toEqual([expect.stringMatching(/^error: zone noor\.example\.com no public hosted zone .* \| fix: apply prod-dns first/)]);
    const zone = (id: string) => ({ Id: `/hostedzone/${id}`, Name: "noor.example.com.", CallerReference: id, Config: { PrivateZone: false } });
    const twice = await check("prod-tenant-globex", "zones", {
      "route53:ListHostedZonesByName": [{ input: { DNSName: "noor.example.com" }, output: { HostedZones: [zone("Z07345612NOORPRD03"), zone("Z0111111DUPLICATE")] } }],
      "route53:GetHostedZone": [{ input: { Id: "Z0111111DUPLICATE" }, output: { HostedZone: zone("Z0111111DUPLICATE"), DelegationSet: { NameServers: ["ns-1.awsdns-01.org"] } } }],
    });
    expect(messages(twice)).toEqual([expect.stringContaining("2 public hosted zones named noor.example.com")]);
  });
});

describe("access-entry principals", () => {
  it("fails when a permission set has no role in the account (not assigned), or several", async () => {
    const unassigned = await check("prod-infra", "principals", {
      "iam:ListRoles": [{ input: { PathPrefix: "/aws-reserved/sso.amazonaws.com/" }, output: { Roles: [{ RoleName: "AWSReservedSSO_PlatformReadOnly_8a2e4c6b1d3f5e79", Path: "/aws-reserved/sso.amazonaws.com/eu-west-1/", Arn: "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_PlatformReadOnly_8a2e4c6b1d3f5e79" }], IsTruncated: false } }],
    });
    expect(messages(unassigned)).toEqual([expect.stringMatching(/^error: permission set PlatformAdmin no role .* \| fix: assign the permission set PlatformAdmin to account 111111111111 in IAM Identity Center/)]);
    const role = (suffix: string) => ({ RoleName: `AWSReservedSSO_PlatformAdmin_${suffix}`, Path: "/aws-reserved/sso.amazonaws.com/eu-west-1/", Arn: `arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_PlatformAdmin_${suffix}` });
    const stale = await check("prod-infra", "principals", {
      "iam:ListRoles": [{ input: { PathPrefix: "/aws-reserved/sso.amazonaws.com/" }, output: { Roles: [role("3f9c1e7a2b4d6c80"), role("0a0b0c0d0e0f1a2b"), { ...role("8a2e4c6b1d3f5e79"), RoleName: "AWSReservedSSO_PlatformReadOnly_8a2e4c6b1d3f5e79" }] } }],
    });
    expect(messages(stale)).toEqual([expect.stringContaining("2 roles match ^AWSReservedSSO_PlatformAdmin_[0-9a-f]+$")]);
  });

  it("fails when a role named by ARN does not exist (CI roles: apply the account stack first) or has another path", async () => {
    const missing = await check("prod-infra", "principals", { "iam:GetRole": [{ input: { RoleName: "acme-prod-ci-deploy" }, error: { name: "NoSuchEntityException", message: "The role with name acme-prod-ci-deploy cannot be found." } }] });
    expect(messages(missing)).toEqual([expect.stringMatching(/^error: role arn:aws:iam::111111111111:role\/acme-prod-ci-deploy does not exist .* \| fix: an administrator applies account-main first/)]);
    const moved = await check("prod-infra", "principals", { "iam:GetRole": [{ input: { RoleName: "acme-prod-ci-plan" }, output: { Role: { RoleName: "acme-prod-ci-plan", Path: "/ci/", Arn: "arn:aws:iam::111111111111:role/ci/acme-prod-ci-plan" } } }] });
    expect(messages(moved)).toEqual([expect.stringContaining("exists with path /ci/")]);
  });
});

describe("service-linked roles", () => {
  it("fails when a role a resource needs is missing (apply the account stack first)", async () => {
    const report = await check("prod-infra", "service-linked-roles", { "iam:GetRole": [{ input: { RoleName: "AWSServiceRoleForAmazonOpenSearchService" }, error: { name: "NoSuchEntityException", message: "The role with name AWSServiceRoleForAmazonOpenSearchService cannot be found." } }] });
    expect(messages(report)).toEqual([expect.stringMatching(/^error: service-linked role AWSServiceRoleForAmazonOpenSearchService does not exist .* \| fix: an administrator applies account-main first .*create-service-linked-role --aws-service-name opensearchservice\.amazonaws\.com/)]);
  });

  it("the account stack: a role that exists outside its state cannot be created again; in its state it is fine", async () => {
    const outside = await check("account-main", "service-linked-roles");
    expect(messages(outside)).toHaveLength(3);
    expect(messages(outside)[0]).toMatch(/exists in account 111111111111 already .* \| fix: declare it in project\.yaml accounts\.main\.serviceLinkedRoles\.existing/);
    const key = "stacks/account-main/terraform.tfstate";
    const addresses = ["service-linked-roles_config_89D84489", "service-linked-roles_opensearchservice_767A1167", "service-linked-roles_spot_90C97D2F"];
    const state = { version: 4, resources: addresses.map((name) => ({ mode: "managed", type: "aws_iam_service_linked_role", name, instances: [{ attributes: { id: name } }] })) };
    const managed = await check("account-main", "service-linked-roles", {
      "s3:ListObjectsV2": [{ input: { Bucket: BUCKET, Prefix: key }, output: { Contents: [{ Key: key }] } }],
      "s3:GetObject": [{ input: { Bucket: BUCKET, Key: key }, output: { Body: JSON.stringify(state) } }],
    });
    expect(managed.status).toBe("ok");
  });
});

describe("secret values", () => {
  it("a secret scheduled for deletion, or created by hand outside the stack's state, stops the apply", async () => {
    const report = await check("prod-platform", "secrets", {
      "secretsmanager:ListSecrets": [
        { input: { Filters: [{ Key: "name", Values: ["acme-prod/"] }] }, outputFile: join(FIXTURES, "secretsmanager", "list-secrets-prod-page-1.json") },
        { input: { Filters: [{ Key: "name", Values: ["acme-prod/"] }], NextToken: "AAEAAe9EnCxbzjUaj0KYBuOKx7GS2ywAzycM1AcU1gJBQnR0YW5n" }, outputFile: join(FIXTURES, "secretsmanager", "list-secrets-prod-page-2.json") },
      ],
    });
    const lines = messages(report);
    expect(lines.filter((line) => line.startsWith("error:"))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^error: secret acme-prod\/noor\/openai-api-key is scheduled for deletion.* \| fix: aws secretsmanager restore-secret/),
        expect.stringMatching(/^error: secret acme-prod\/alertmanager\/pagerduty exists, but not in the state of prod-platform: .*ResourceExistsException \| fix: import it .*terraform import aws_secretsmanager_secret\.\S+ acme-prod\/alertmanager\/pagerduty/),
      ]),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^warning: secret acme-prod\/murima\/jwt-secret does not exist yet/));
  });
});

describe("versions", () => {
  it("fails on an engine version AWS does not list, a deprecated one, or a parameter group family that differs", async () => {
    const gone = await check("prod-infra", "versions", { "rds:DescribeDBEngineVersions": [{ input: { Engine: "aurora-postgresql", EngineVersion: "15.10" }, output: { DBEngineVersions: [] } }] });
    expect(messages(gone)).toEqual([expect.stringMatching(/^error: aurora-postgresql 15\.10 is not offered in eu-west-1: creating it fails \| fix: .*aws rds describe-db-engine-versions --region eu-west-1 --engine aurora-postgresql/)]);
    const deprecated = await check("prod-infra", "versions", { "rds:DescribeDBEngineVersions": [{ input: { Engine: "aurora-postgresql", EngineVersion: "16.8" }, output: { DBEngineVersions: [{ Engine: "aurora-postgresql", EngineVersion: "16.8", DBParameterGroupFamily: "aurora-postgresql16", Status: "deprecated" }] } }] });
    expect(messages(deprecated)).toEqual([expect.stringContaining("aurora-postgresql 16.8 is deprecated in eu-west-1")]);
    const family = await check("prod-infra", "versions", { "elasticache:DescribeCacheEngineVersions": [{ input: { Engine: "valkey", EngineVersion: "8.0" }, output: { CacheEngineVersions: [{ Engine: "valkey", EngineVersion: "8.0", CacheParameterGroupFamily: "valkey7" }] } }] });
    expect(messages(family)).toEqual([expect.stringContaining("belongs to parameter group family valkey7, but the stack's parameter group is valkey8")]);
  });

  it("fails on an add-on build not compatible with the cluster's Kubernetes version, an unsupported Kubernetes version, an unpublished AMI release", async () => {
    const addon = await check("prod-infra", "versions", { "eks:DescribeAddonVersions": [{ input: { addonName: "coredns", kubernetesVersion: "1.35" }, output: { addons: [{ addonName: "coredns", addonVersions: [{ addonVersion: "v1.13.3-eksbuild.1" }] }] } }] });
    expect(messages(addon)).toEqual([expect.stringMatching(/^error: EKS add-on coredns v1\.13\.2-eksbuild\.4 \(Kubernetes 1\.35\) is not offered in eu-west-1: creating it fails; offered: v1\.13\.3-eksbuild\.1/)]);
    const eks = await check("prod-infra", "versions", { "eks:DescribeClusterVersions": [{ input: { clusterVersions: ["1.35"] }, output: { clusterVersions: [{ clusterVersion: "1.35", versionStatus: "UNSUPPORTED" }] } }] });
    expect(messages(eks)).toEqual([expect.stringContaining("EKS Kubernetes 1.35 is UNSUPPORTED")]);
    const ami = await check("prod-platform", "versions", { "ssm:GetParameter": [{ input: {}, error: { name: "ParameterNotFound", message: "" } }] });
    expect(messages(ami)).toEqual([expect.stringMatching(/^error: EKS AL2023 AMI release v20260512 \(arm64, Kubernetes 1\.35\) is not offered in eu-west-1/)]);
  });
});

describe("instance types", () => {
  const azOfferings = (offered: Record<string, string[]>) => ({
    "ec2:DescribeInstanceTypeOfferings": [
      {
        input: { LocationType: "availability-zone" },
        output: { InstanceTypeOfferings: Object.entries(offered).flatMap(([type, zones]) => zones.map((zone) => ({ InstanceType: type, LocationType: "availability-zone", Location: zone }))) },
      },
    ],
  });

  it("a node group type missing in a zone is a warning when another type covers it, an error when none does", async () => {
    const covered = await check("prod-infra", "instance-types", azOfferings({ "m7g.xlarge": ["eu-west-1a", "eu-west-1b"], "m6g.xlarge": ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }));
    expect(messages(covered)).toEqual([expect.stringMatching(/^warning: instance type m7g\.xlarge is not offered in eu-west-1c .* other types cover eu-west-1c/)]);
    expect(summarize([{ stack: "prod-infra", accountId: "", region: "", stage: "", checks: [covered] }]).exitCode).toBe(0);
    const uncovered = await check("prod-infra", "instance-types", azOfferings({ "m7g.xlarge": ["eu-west-1a", "eu-west-1b"], "m6g.xlarge": ["eu-west-1a", "eu-west-1b"] }));
    expect(messages(uncovered).every((line) => line.startsWith("error: instance type"))).toBe(true);
    expect(messages(uncovered)).toHaveLength(2);
  });

  it("a database class not orderable in one of its subnet group's zones, or Karpenter families the region lacks, fail", async () => {
    const rds = await check("prod-infra", "instance-types", {
      "rds:DescribeOrderableDBInstanceOptions": [{ input: { EngineVersion: "15.10" }, output: { OrderableDBInstanceOptions: [{ Engine: "aurora-postgresql", EngineVersion: "15.10", DBInstanceClass: "db.r6g.2xlarge", AvailabilityZones: [{ Name: "eu-west-1a" }, { Name: "eu-west-1b" }] }] } }],
    });
    expect(messages(rds)).toHaveLength(3);
    expect(messages(rds)[0]).toMatch(/^error: instance class db\.r6g\.2xlarge db\.r6g\.2xlarge \(aurora-postgresql 15\.10\) is not offered in eu-west-1c/);
    const karpenter = await check("prod-platform", "instance-types", { "ec2:DescribeInstanceTypeOfferings": [{ input: { LocationType: "region" }, output: { InstanceTypeOfferings: [] } }] });
    expect(messages(karpenter)).toEqual([expect.stringMatching(/^error: Karpenter instance families .* the node pool can launch nothing/)]);
  });
});

describe("quotas", () => {
  it("fails when current usage plus what the apply adds exceeds the quota, with the increase request", async () => {
    const eips = Array.from({ length: 8 }, (_, index) => ({ AllocationId: `eipalloc-0${index}`, Domain: "vpc", PublicIp: `203.0.113.${index + 1}` }));
    const report = await check("prod-infra", "quotas", { "ec2:DescribeAddresses": [{ input: {}, output: { Addresses: eips } }] });
    expect(messages(report)).toEqual([
      expect.stringMatching(/^error: quota EC2-VPC Elastic IPs \(eu-west-1\) 8 in use \+ 3 this apply adds = 11, above the quota of 10 \| fix: .*--service-code ec2 --quota-code L-0263D0A3 --desired-value 11/),
    ]);
  });

  it("counts NAT gateways per availability zone, and a new ingress group as a new load balancer", async () => {
    const nats = Array.from({ length: 5 }, (_, index) => ({ NatGatewayId: `nat-0${index}`, SubnetId: "subnet-0dev1a0000000001", State: "available" }));
    const report = await check("prod-infra", "quotas", { "ec2:DescribeNatGateways": [{ input: {}, output: { NatGateways: nats } }] });
    expect(messages(report)).toEqual([expect.stringContaining("quota NAT gateways per Availability Zone (eu-west-1a) 5 in use + 1 this apply adds = 6, above the quota of 5")]);
    const full = await check("prod-tenant-globex", "quotas", { "service-quotas:GetAWSDefaultServiceQuota": [{ input: { QuotaCode: "L-53DA6B97" }, output: { Quota: { QuotaCode: "L-53DA6B97", Value: 2 } } }] });
    expect(messages(full)).toEqual([expect.stringContaining("2 in use + 1 this apply adds = 3, above the quota of 2")]);
    const joined = await check("prod-tenant-globex", "quotas", {
      "elbv2:DescribeTags": [{ input: {}, output: { TagDescriptions: [{ ResourceArn: "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/k8s-acmeprodtenants1/1", Tags: [{ Key: "ingress.k8s.aws/stack", Value: "acme-prod-tenants-1" }] }] } }],
    });
    expect(joined.status).toBe("ok");
    expect(joined.verified).toEqual([expect.stringContaining("nothing new")]);
  });
});

describe("a check that cannot run never passes", () => {
  it("an AWS error other than the answers the check interprets (here AccessDenied) marks it failed: exit 2", async () => {
    const report = await check("prod-infra", "service-linked-roles", { "iam:GetRole": [{ input: {}, error: { name: "AccessDenied", message: "User is not authorized to perform: iam:GetRole" } }] });
    expect(report.status).toBe("failed");
    expect(report.error).toMatch(/^AccessDenied: .*the plan role's ReadOnlyAccess covers every call/);
    expect(summarize([{ stack: "prod-infra", accountId: "", region: "", stage: "", checks: [report] }]).exitCode).toBe(2);
  });
});
