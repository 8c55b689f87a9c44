import { describe, expect, it } from "vitest";
import { SEARCH_SECURITY_NAMESPACE, searchAccessTag, OpenSearch, type OpenSearchProps } from "../../../constructs/opensearch";
import { resourceList, synthConstruct } from "../../support/synth";
import { connectionKeys, only, serviceProps, WORKLOAD_SG } from "../data-access/fixture";

type Overrides = Partial<Omit<OpenSearchProps, "naming" | "account" | "name" | "encryptionKey" | "logging">>;

function openSearch(overrides: Overrides = {}) {
  return synthConstruct((scope) => new OpenSearch(scope, "search", { ...serviceProps(scope, "search"), instanceType: "r6g.large.search", ...overrides }));
}

describe("OpenSearch defaults (protected, highly available)", () => {
  const { json } = openSearch();
  const domain = only(json, "aws_opensearch_domain");

  it("spreads data nodes over 3 zones with 3 dedicated masters, gp3 storage and a pinned version", () => {
    expect(domain).toMatchObject({
      domain_name: "acme-test-search",
      engine_version: "OpenSearch_2.19",
      cluster_config: {
        instance_type: "r6g.large.search",
        instance_count: 3,
        zone_awareness_enabled: true,
        zone_awareness_config: { availability_zone_count: 3 },
        dedicated_master_enabled: true,
        dedicated_master_count: 3,
        dedicated_master_type: "m7g.large.search",
      },
      ebs_options: { ebs_enabled: true, volume_type: "gp3", volume_size: 100, iops: 3000, throughput: 125 },
    });
  });

  it("lives in the data subnets behind its own security group", () => {
    expect((domain.vpc_options as Record<string, unknown>).subnet_ids).toEqual(["subnet-0000000000000000a", "subnet-0000000000000000b", "subnet-0000000000000000c"]);
    expect(resourceList(json, "aws_vpc_security_group_ingress_rule")).toEqual([expect.objectContaining({ from_port: 443, referenced_security_group_id: WORKLOAD_SG })]);
  });

  it("encrypts at rest and between nodes and enforces HTTPS with TLS 1.2+", () => {
    expect(domain).toMatchObject({
      encrypt_at_rest: { enabled: true },
      node_to_node_encryption: { enabled: true },
      domain_endpoint_options: { enforce_https: true, tls_security_policy: "Policy-Min-TLS-1-2-PFS-2023-10" },
    });
    expect((domain.encrypt_at_rest as Record<string, unknown>).kms_key_id).toContain("aws_kms_key.data-key");
  });

  it("uses fine-grained access control with an IAM master role and no internal users", () => {
    expect(domain.advanced_security_options).toMatchObject({ enabled: true, anonymous_auth_enabled: false, internal_user_database_enabled: false });
    expect((domain.advanced_security_options as Record<string, Record<string, unknown>>).master_user_options?.master_user_arn).toContain("aws_iam_role.search_master-role");
    expect(JSON.stringify(domain.advanced_security_options)).not.toContain("master_user_password");
  });

  it("scopes the access policy to the master role and the roles tagged for this domain, never to everyone", () => {
    const policy = Object.entries(json.data?.aws_iam_policy_document ?? {}).find(([id]) => id.includes("access-policy"))?.[1] as { statement: Record<string, unknown>[] };
    expect(policy.statement).toHaveLength(2);
    for (const statement of policy.statement) {
      expect(JSON.stringify(statement.principals)).not.toContain('"*"');
      expect(statement.resources).toEqual(["arn:aws:es:eu-west-1:123456789012:domain/acme-test-search/*"]);
    }
    expect(policy.statement[1]?.condition).toEqual([{ test: "StringEquals", variable: "aws:PrincipalTag/platform:opensearch-search", values: ["access"] }]);
    expect(searchAccessTag("search")).toEqual({ key: "platform:opensearch-search", value: "access" });
  });

  it("lets the cluster's security Job act as the master role, and nothing else in the cluster", () => {
    const trust = Object.entries(json.data?.aws_iam_policy_document ?? {}).find(([id]) => id.includes("master-trust"))?.[1] as { statement: Record<string, unknown>[] };
    expect(trust.statement[1]).toEqual({
      sid: "SecurityJobOfThisCluster",
      actions: ["sts:AssumeRole", "sts:TagSession"],
      principals: [{ type: "Service", identifiers: ["pods.eks.amazonaws.com"] }],
      condition: [
        { test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] },
        { test: "StringEquals", variable: "aws:RequestTag/eks-cluster-name", values: ["acme-test-eks"] },
        { test: "StringEquals", variable: "aws:RequestTag/kubernetes-namespace", values: [SEARCH_SECURITY_NAMESPACE] },
        { test: "StringEquals", variable: "aws:RequestTag/kubernetes-service-account", values: ["search-admin-search"] },
      ],
    });
  });

  it("publishes slow, application and audit logs to encrypted groups with a resource policy for this domain", () => {
    expect((domain.log_publishing_options as Record<string, unknown>[]).map((option) => option.log_type).sort()).toEqual(["AUDIT_LOGS", "ES_APPLICATION_LOGS", "INDEX_SLOW_LOGS", "SEARCH_SLOW_LOGS"]);
    expect(resourceList(json, "aws_cloudwatch_log_group")).toHaveLength(4);
    const policy = Object.entries(json.data?.aws_iam_policy_document ?? {}).find(([id]) => id.includes("log-policy-document"))?.[1] as { statement: Record<string, unknown>[] };
    expect(policy.statement[0]?.condition).toContainEqual({ test: "ArnLike", variable: "aws:SourceArn", values: ["arn:aws:es:eu-west-1:123456789012:domain/acme-test-search"] });
    expect(domain.depends_on).toEqual([expect.stringContaining("aws_cloudwatch_log_resource_policy")]);
  });

  it("runs Auto-Tune and software updates in the off-peak window, keeps prevent_destroy and the backup tag", () => {
    expect(domain).toMatchObject({
      auto_tune_options: { desired_state: "ENABLED", use_off_peak_window: true },
      off_peak_window_options: { enabled: true, off_peak_window: { window_start_time: { hours: 22, minutes: 0 } } },
      software_update_options: { auto_software_update_enabled: true },
      lifecycle: { prevent_destroy: true },
      tags: { "platform:backup": "default" },
    });
    expect(connectionKeys(only(json, "aws_ssm_parameter").value)).toMatchObject({ kind: '"opensearch"', port: "443", tls: "true", iamAuth: "true" });
  });
});

describe("OpenSearch: production vs development", () => {
  it("development runs one t3 node in one subnet without masters or Auto-Tune", () => {
    const { json } = openSearch({
      instanceType: "t3.medium.search",
      instanceCount: 1,
      availabilityZones: 1,
      dedicatedMasters: { count: 0, instanceType: "m7g.large.search" },
      autoTune: false,
      volume: { sizeGb: 10, iops: 3000, throughputMiBps: 125 },
      protectState: false,
      highAvailability: false,
    });
    const domain = only(json, "aws_opensearch_domain");
    expect(domain.cluster_config).toMatchObject({ instance_count: 1, zone_awareness_enabled: false, dedicated_master_enabled: false });
    expect((domain.vpc_options as Record<string, unknown>).subnet_ids).toHaveLength(1);
    expect(domain).toMatchObject({ encrypt_at_rest: { enabled: true }, lifecycle: { prevent_destroy: false }, auto_tune_options: { desired_state: "DISABLED" } });
  });

  it("production refuses fewer zones or masters", () => {
    expect(() => openSearch({ availabilityZones: 2, instanceCount: 4 })).toThrow(/availabilityZones: production spreads data nodes over 3 availability zones/);
    expect(() => openSearch({ dedicatedMasters: { count: 0, instanceType: "m7g.large.search" } })).toThrow(/dedicatedMasters\.count: production needs at least 3 dedicated master nodes/);
  });
});

describe("OpenSearch validation (one failing input per rule)", () => {
  const cases: [string, Overrides, RegExp][] = [
    ["Elasticsearch engine version", { engineVersion: "Elasticsearch_7.10" }, /engineVersion: Amazon OpenSearch Service Elasticsearch_7\.10 is not in the version catalog .*allowed: OpenSearch_2\.17, OpenSearch_2\.19, OpenSearch_3\.1, OpenSearch_3\.3/],
    ["instance type without .search", { instanceType: "r6g.large" }, /instanceType: is not an instance class OpenSearch offers/],
    ["unknown size", { instanceType: "t3.small.search" }, /instanceType: t3 has no size "small"/],
    ["data nodes not a multiple of zones", { instanceCount: 4 }, /instanceCount: must be a multiple of availabilityZones \(3\)/],
    ["even master count", { dedicatedMasters: { count: 2, instanceType: "m7g.large.search" } }, /dedicatedMasters\.count: dedicated master count .* must be one of 0, 3, 5/],
    ["unknown master type", { dedicatedMasters: { count: 3, instanceType: "m9.large.search" } }, /dedicatedMasters\.instanceType: is not an instance class OpenSearch offers/],
    ["more zones than offered", { availabilityZones: 4, instanceCount: 4 }, /availabilityZones: availability zones must be one of 1, 2, 3/],
    ["more zones than data subnets", { availabilityZones: 3, dataTier: { vpcId: "vpc-1", subnetIds: ["subnet-a", "subnet-b"], availabilityZones: ["eu-west-1a", "eu-west-1b"], dbSubnetGroupName: "x", cacheSubnetGroupName: "x" } }, /availabilityZones: needs as many data subnets; the data tier has 2/],
    ["volume too small", { volume: { sizeGb: 5, iops: 3000, throughputMiBps: 125 } }, /volume\.sizeGb: gp3 volume size \(GiB\) must be an integer from 10/],
    ["IOPS below gp3 baseline", { volume: { sizeGb: 100, iops: 1000, throughputMiBps: 125 } }, /volume\.iops: gp3 IOPS must be an integer from 3000 to 16000/],
    ["throughput above gp3 limit", { volume: { sizeGb: 100, iops: 3000, throughputMiBps: 2000 } }, /volume\.throughputMiBps: gp3 throughput/],
    ["Auto-Tune on t3", { instanceType: "t3.medium.search", autoTune: true }, /autoTune: Auto-Tune is not available on t3 instance types/],
    ["malformed off-peak start", { offPeakWindowStart: "10pm" }, /offPeakWindowStart: must be a UTC time hh:mm/],
    ["CIDR where only security groups are allowed", { allowedSecurityGroupIds: ["10.1.0.0/16"] }, /is a CIDR block/],
  ];
  it.each(cases)("rejects %s", (_what, overrides, message) => {
    expect(() => openSearch(overrides)).toThrow(message);
  });
});
