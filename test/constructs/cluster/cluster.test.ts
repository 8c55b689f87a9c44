import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Testing, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { Cluster, CONTROL_PLANE_LOG_TYPES, NODE_METADATA_HOP_LIMIT, type ClusterProps, type NodePoolProps } from "../../../constructs/cluster";
import { ebsCsiDriverStatements, vpcCniStatements } from "../../../constructs/cluster/policies";
import { Naming } from "../../../constructs/core/naming";
import { resourceList, resourcesOf, synthConstruct, TEST_ACCOUNT, type Synthesized } from "../../support/synth";
import { expectExplicitActions, expectJustifiedWildcards, expectTrustScopedTo, identityPolicies } from "../addons/iam-assertions";
import { defined } from "../addons/support";

const naming = new Naming({ project: "acme", environment: "prod" });
const CI_ROLE = "arn:aws:iam::111111111111:role/acme-ci-deploy";
const PLAN_ROLE = "arn:aws:iam::111111111111:role/acme-prod-ci-plan";

const SYSTEM_POOL: NodePoolProps = {
  name: "system",
  instanceTypes: ["m7g.xlarge", "m6g.xlarge"],
  amiType: "AL2023_ARM_64_STANDARD",
  capacityType: "ON_DEMAND",
  minSize: 3,
  desiredSize: 3,
  maxSize: 6,
  diskSizeGiB: 50,
  labels: { "node-pool": "system" },
  taints: [],
  maxUnavailablePercentage: 33,
  autoRepair: true,
};

type RequiredProps = Omit<ClusterProps, "clusterKey" | "logsKey" | "volumeKey">;

const REQUIRED: RequiredProps = {
  naming,
  account: TEST_ACCOUNT,
  kubernetesVersion: "1.35",
  nodeImageRelease: "1.35.4-20260512",
  subnetIds: ["subnet-a", "subnet-b", "subnet-c"],
  logRetentionDays: 365,
  workloadSecurityGroupId: "sg-workloads",
  ciDeployRoleArn: CI_ROLE,
  managedAddons: {
    vpcCni: "v1.21.1-eksbuild.8",
    coreDns: "v1.13.2-eksbuild.4",
    kubeProxy: "v1.35.3-eksbuild.2",
    ebsCsiDriver: "v1.56.0-eksbuild.1",
    podIdentityAgent: "v1.3.9-eksbuild.3",
  },
  nodePools: [SYSTEM_POOL],
};

function withKeys(scope: Construct, props: Partial<ClusterProps>): Cluster {
  const key = (id: string) => new KmsKey(scope, id, { description: id });
  return new Cluster(scope, "cluster", { ...REQUIRED, clusterKey: key("cluster-key"), logsKey: key("logs-key"), volumeKey: key("data-key"), ...props });
}

function synthCluster(props: Partial<ClusterProps> = {}) {
  return synthConstruct((scope) => withKeys(scope, props));
}

function construct(props: Partial<ClusterProps>): () => Cluster {
  return () => withKeys(new TerraformStack(Testing.app(), "test"), props);
}

const only = (json: Synthesized, type: string) => {
  const list = resourceList(json, type);
  expect(list).toHaveLength(1);
  return defined(list[0], type);
};

describe("Cluster defaults", () => {
  const { json } = synthCluster();
  const eks = only(json, "aws_eks_cluster");

  it("pins the Kubernetes version and keeps the API endpoint private", () => {
    expect(eks).toMatchObject({
      name: "acme-prod-eks",
      version: "1.35",
      vpc_config: { endpoint_private_access: true, endpoint_public_access: false, subnet_ids: ["subnet-a", "subnet-b", "subnet-c"] },
    });
    expect((eks.vpc_config as Record<string, unknown>).public_access_cidrs).toBeUndefined();
  });

  it("encrypts secrets with the cluster key and exports all five control-plane logs to an encrypted group", () => {
    expect(eks.encryption_config).toEqual({ resources: ["secrets"], provider: { key_arn: "${aws_kms_key.cluster-key.arn}" } });
    expect(eks.enabled_cluster_log_types).toEqual([...CONTROL_PLANE_LOG_TYPES]);
    expect(CONTROL_PLANE_LOG_TYPES).toHaveLength(5);
    expect(only(json, "aws_cloudwatch_log_group")).toMatchObject({
      name: "/aws/eks/acme-prod-eks/cluster",
      retention_in_days: 365,
      kms_key_id: "${aws_kms_key.logs-key.arn}",
    });
  });

  it("uses API authentication only, without implicit admin for the creator", () => {
    expect(eks.access_config).toEqual({ authentication_mode: "API", bootstrap_cluster_creator_admin_permissions: false });
  });

  it("protects the cluster from deletion and uses standard support by default", () => {
    expect(eks).toMatchObject({ deletion_protection: true, lifecycle: { prevent_destroy: true }, upgrade_policy: { support_type: "STANDARD" } });
    expect(eks.bootstrap_self_managed_addons).toBe(false);
  });

  it("makes the CI deploy role cluster admin through an access entry", () => {
    expect(resourceList(json, "aws_eks_access_entry")).toEqual([expect.objectContaining({ principal_arn: CI_ROLE, type: "STANDARD" })]);
    expect(only(json, "aws_eks_access_policy_association")).toMatchObject({
      policy_arn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
      access_scope: { type: "cluster" },
    });
  });

  it("installs the five managed add-ons at their pinned versions, with conflicts resolved by this code", () => {
    const addons = Object.fromEntries(resourceList(json, "aws_eks_addon").map((addon) => [addon.addon_name, addon]));
    expect(Object.keys(addons).sort()).toEqual(["aws-ebs-csi-driver", "coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"]);
    expect(addons["vpc-cni"]).toMatchObject({ addon_version: "v1.21.1-eksbuild.8", resolve_conflicts_on_update: "OVERWRITE", resolve_conflicts_on_create: "OVERWRITE" });
    expect(addons["eks-pod-identity-agent"]?.addon_version).toBe("v1.3.9-eksbuild.3");
    expect(JSON.parse(addons["vpc-cni"]?.configuration_values as string)).toEqual({ enableNetworkPolicy: "true" });
  });

  it("creates network add-ons before the nodes, and CoreDNS and the EBS CSI driver after them", () => {
    const nodeGroup = defined(Object.entries(resourcesOf(json, "aws_eks_node_group"))[0], "node group");
    const dependsOn = nodeGroup[1].depends_on as string[];
    for (const addon of ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"]) expect(dependsOn.join(" ")).toContain(`addon-${addon}`);
    for (const [id, addon] of Object.entries(resourcesOf(json, "aws_eks_addon"))) {
      const afterNodes = ["coredns", "aws-ebs-csi-driver"].includes(addon.addon_name as string);
      expect(((addon.depends_on as string[] | undefined) ?? []).some((ref) => ref.startsWith("aws_eks_node_group.")), id).toBe(afterNodes);
    }
  });

  it("gives the VPC CNI and the EBS CSI driver their own roles, scoped to their service accounts", () => {
    const clusterRef = defined(Object.keys(resourcesOf(json, "aws_eks_cluster"))[0], "cluster");
    const scopedCluster = `\${aws_eks_cluster.${clusterRef}.name}`;
    expectTrustScopedTo(json, "cluster_vpc-cni-identity", { cluster: scopedCluster, namespace: "kube-system", serviceAccount: "aws-node" });
    expectTrustScopedTo(json, "cluster_ebs-csi-identity", { cluster: scopedCluster, namespace: "kube-system", serviceAccount: "ebs-csi-controller-sa" });
    const ebs = identityPolicies(json, "cluster_ebs-csi-identity").permissions;
    expect(ebs.find((statement) => statement.sid === "UseVolumeKey")?.resources).toEqual(["${aws_kms_key.data-key.arn}"]);
    expect(ebs.find((statement) => statement.sid === "DeleteOwned")?.condition).toEqual([
      { test: "StringEquals", variable: "aws:ResourceTag/ebs.csi.aws.com/cluster", values: ["true"] },
    ]);
    expectExplicitActions(ebs);
    expectExplicitActions(identityPolicies(json, "cluster_vpc-cni-identity").permissions);
  });

  it("justifies every wildcard resource of the component roles and uses no wildcard action", () => {
    const statements = [...ebsCsiDriverStatements(TEST_ACCOUNT, "arn:aws:kms:eu-west-1:123456789012:key/x"), ...vpcCniStatements(TEST_ACCOUNT)];
    expectJustifiedWildcards(statements);
    expect(statements.filter((statement) => statement.resources?.includes("*")).map((statement) => statement.sid)).toEqual(["Describe", "Describe"]);
  });

  it("gives nodes a minimal role: join the cluster and pull images, nothing inline", () => {
    const attachments = resourceList(json, "aws_iam_role_policy_attachment").map((attachment) => attachment.policy_arn);
    expect(attachments.sort()).toEqual([
      "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
      "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
      "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    ]);
    const nodeRoleId = defined(Object.entries(resourcesOf(json, "aws_iam_role")).find(([, role]) => role.name === "acme-prod-eks-node"), "node role")[0];
    const inline = resourceList(json, "aws_iam_role_policy").filter((policy) => String(policy.role).includes(nodeRoleId));
    expect(inline).toEqual([]);
  });
});

describe("Cluster node access", () => {
  it("lets Session Manager reach the nodes when asked (no SSH key either way)", () => {
    const { json } = synthCluster({ sessionManager: true });
    expect(resourceList(json, "aws_iam_role_policy_attachment").map((attachment) => attachment.policy_arn)).toContain("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore");
    for (const template of resourceList(json, "aws_launch_template")) expect(template.key_name).toBeUndefined();
  });

  it("leaves the desired size to the Cluster Autoscaler when it scales the pools, and applies it otherwise", () => {
    const autoscaled = resourceList(synthCluster({ autoscaled: true }).json, "aws_eks_node_group");
    for (const group of autoscaled) expect(group.lifecycle).toEqual({ ignore_changes: ["scaling_config[0].desired_size"] });
    for (const group of resourceList(synthCluster({}).json, "aws_eks_node_group")) expect(group.lifecycle).toBeUndefined();
  });
});

describe("Cluster node pools", () => {
  const pools: NodePoolProps[] = [
    SYSTEM_POOL,
    { ...SYSTEM_POOL, name: "batch", instanceTypes: ["c7i.2xlarge"], amiType: "AL2023_x86_64_STANDARD", capacityType: "SPOT", minSize: 0, desiredSize: 0, maxSize: 10, taints: [{ key: "batch", value: "true", effect: "NO_SCHEDULE" }] },
  ];
  const { json } = synthCluster({ nodePools: pools });
  const templates = resourcesOf(json, "aws_launch_template");
  const groups = resourcesOf(json, "aws_eks_node_group");

  it("requires IMDSv2 with hop limit 1, encrypts gp3 root volumes with the cluster key and has no SSH key", () => {
    expect(Object.keys(templates)).toHaveLength(2);
    for (const template of Object.values(templates)) {
      expect(template.metadata_options).toEqual({ http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: NODE_METADATA_HOP_LIMIT, instance_metadata_tags: "disabled" });
      expect(NODE_METADATA_HOP_LIMIT).toBe(1);
      expect(template.block_device_mappings).toEqual([
        { device_name: "/dev/xvda", ebs: { volume_size: 50, volume_type: "gp3", encrypted: "true", kms_key_id: "${aws_kms_key.cluster-key.arn}", delete_on_termination: "true" } },
      ]);
      expect(template.key_name).toBeUndefined();
    }
  });

  it("attaches the cluster security group and the workload security group to every node", () => {
    for (const template of Object.values(templates)) {
      const groupsOfTemplate = template.vpc_security_group_ids as string[];
      expect(groupsOfTemplate).toHaveLength(2);
      expect(groupsOfTemplate[0]).toMatch(/^\$\{aws_eks_cluster\.cluster_.*\.vpc_config\[0\]\.cluster_security_group_id\}$/);
      expect(groupsOfTemplate[1]).toBe("sg-workloads");
    }
  });

  it("spreads each pool over every private subnet with its image type, sizes, labels, taints and update settings", () => {
    const byName = Object.fromEntries(Object.values(groups).map((group) => [group.node_group_name, group]));
    expect(byName["acme-prod-system"]).toMatchObject({
      subnet_ids: ["subnet-a", "subnet-b", "subnet-c"],
      ami_type: "AL2023_ARM_64_STANDARD",
      release_version: "1.35.4-20260512",
      capacity_type: "ON_DEMAND",
      instance_types: ["m7g.xlarge", "m6g.xlarge"],
      scaling_config: { min_size: 3, desired_size: 3, max_size: 6 },
      labels: { "node-pool": "system" },
      update_config: { max_unavailable_percentage: 33 },
      node_repair_config: { enabled: true },
    });
    expect(byName["acme-prod-batch"]).toMatchObject({
      ami_type: "AL2023_x86_64_STANDARD",
      capacity_type: "SPOT",
      taint: [{ key: "batch", value: "true", effect: "NO_SCHEDULE" }],
    });
    expect(byName["acme-prod-system"]?.remote_access).toBeUndefined();
  });

  it("keys node pool resources by pool name, so reordering pools changes no address", () => {
    const reordered = synthCluster({ nodePools: pools.toReversed() }).json;
    expect(Object.keys(resourcesOf(reordered, "aws_eks_node_group")).sort()).toEqual(Object.keys(groups).sort());
    expect(Object.keys(resourcesOf(reordered, "aws_launch_template")).sort()).toEqual(Object.keys(templates).sort());
  });
});

describe("Cluster options (development vs production)", () => {
  const admins = ["arn:aws:iam::111111111111:role/platform-admin", "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/Admins"];
  const { json } = synthCluster({
    endpoint: { publicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] },
    protect: false,
    supportType: "EXTENDED",
    adminRoleArns: admins,
    viewerRoleArns: ["arn:aws:iam::111111111111:role/readonly"],
    networkPolicy: false,
  });
  const cluster = only(json, "aws_eks_cluster");

  it("opens the public endpoint only to the listed CIDRs when allowed", () => {
    expect(cluster.vpc_config).toMatchObject({ endpoint_private_access: true, endpoint_public_access: true, public_access_cidrs: ["203.0.113.0/24"] });
  });

  it("drops deletion protection and prevent_destroy where state is not protected", () => {
    expect(cluster).toMatchObject({ deletion_protection: false, lifecycle: { prevent_destroy: false }, upgrade_policy: { support_type: "EXTENDED" } });
  });

  it("grants admin and viewer access entries with ids derived from the role names", () => {
    const entries = resourcesOf(json, "aws_eks_access_entry");
    expect(Object.values(entries).map((entry) => entry.principal_arn).sort()).toEqual([CI_ROLE, ...admins, "arn:aws:iam::111111111111:role/readonly"].sort());
    expect(Object.keys(entries).some((id) => id.includes("access-admin-111111111111-admins"))).toBe(true);
    const policies = resourceList(json, "aws_eks_access_policy_association").map((association) => association.policy_arn);
    expect(policies.filter((arn) => String(arn).endsWith("AmazonEKSViewPolicy"))).toHaveLength(1);
    expect(policies.filter((arn) => String(arn).endsWith("AmazonEKSClusterAdminPolicy"))).toHaveLength(3);
  });

  it("can leave NetworkPolicy enforcement off", () => {
    const cni = defined(resourceList(json, "aws_eks_addon").find((addon) => addon.addon_name === "vpc-cni"), "vpc-cni");
    expect(JSON.parse(cni.configuration_values as string)).toEqual({ enableNetworkPolicy: "false" });
  });
});

describe("Cluster access: IAM Identity Center permission sets and the CI plan role", () => {
  const { json } = synthCluster({ ciPlanRoleArn: PLAN_ROLE, adminPermissionSets: ["PlatformAdmin"], viewerPermissionSets: ["Read.Only"] });
  const entries = resourcesOf(json, "aws_eks_access_entry");
  const lookups = Object.entries(json.data?.aws_iam_roles ?? {});

  it("finds each permission set's role at plan time by name regex under the IAM Identity Center path, failing clearly on none or several", () => {
    expect(lookups.map(([, lookup]) => [lookup.name_regex, lookup.path_prefix])).toEqual([
      ["^AWSReservedSSO_PlatformAdmin_[0-9a-f]+$", "/aws-reserved/sso.amazonaws.com/"],
      ["^AWSReservedSSO_Read\\.Only_[0-9a-f]+$", "/aws-reserved/sso.amazonaws.com/"],
    ]);
    const [, adminLookup] = lookups[0] ?? [];
    const conditions = (adminLookup?.lifecycle as { postcondition: { condition: string; error_message: string }[] } | undefined)?.postcondition ?? [];
    expect(conditions.map((condition) => condition.condition)).toEqual(["${length(self.arns) > 0}", "${length(self.arns) < 2}"]);
    expect(conditions[0]?.error_message).toBe(
      'IAM Identity Center permission set "PlatformAdmin" (cluster.access.adminPermissionSets) has no role in account 123456789012: assign the permission set to a user or group in this account (IAM Identity Center then provisions its role AWSReservedSSO_PlatformAdmin_<hash> under /aws-reserved/sso.amazonaws.com/), or remove it from the configuration.',
    );
    expect(conditions[1]?.error_message).toMatch(/matches more than one role in account 123456789012: \$\{join\(", ", self\.arns\)\}\.$/);
  });

  it("names the found role's full ARN (path included) in the access entry, with the kind's access policy", () => {
    const [adminLookup] = lookups[0] ?? [];
    const admin = Object.entries(entries).find(([id]) => id.includes("access-admin-sso-platformadmin"))?.[1];
    expect(admin?.principal_arn).toBe(`\${one(tolist(data.aws_iam_roles.${adminLookup}.arns))}`);
    const policies = resourceList(json, "aws_eks_access_policy_association");
    expect(policies.find((policy) => String(policy.principal_arn).includes("access-admin-sso-platformadmin"))?.policy_arn).toBe("arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
    expect(policies.find((policy) => String(policy.principal_arn).includes("access-viewer-sso-read-only"))?.policy_arn).toBe("arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy");
  });

  it("gives the CI plan role an access entry in its Kubernetes group and no access policy (its RBAC is read-only)", () => {
    const plan = Object.values(entries).filter((entry) => entry.principal_arn === PLAN_ROLE);
    expect(plan).toEqual([expect.objectContaining({ type: "STANDARD", kubernetes_groups: ["platform:ci-plan"] })]);
    const associated = resourceList(json, "aws_eks_access_policy_association").map((policy) => String(policy.principal_arn));
    const planEntryId = Object.entries(entries).find(([, entry]) => entry.principal_arn === PLAN_ROLE)?.[0] as string;
    expect(associated.some((arn) => arn === PLAN_ROLE || arn.includes(planEntryId))).toBe(false);
  });

  it("keeps the ids of role-ARN entries of earlier versions (the deploy role's entry is not replaced)", () => {
    expect(Object.keys(entries).filter((id) => id.startsWith("cluster_access-admin-111111111111-acme-ci-deploy_"))).toHaveLength(1);
  });
});

describe("Cluster validation", () => {
  const pool = (changes: Partial<NodePoolProps>) => ({ nodePools: [{ ...SYSTEM_POOL, ...changes }] });
  const cases: [string, Partial<ClusterProps>, RegExp][] = [
    ["an unpinned Kubernetes version", { kubernetesVersion: "latest" }, /kubernetesVersion "latest" is not a Kubernetes minor version/],
    ["an image release of another Kubernetes version", { nodeImageRelease: "1.34.7-20260512" }, /nodeImageRelease 1\.34\.7-20260512 is for Kubernetes 1\.34, not 1\.35/],
    ["a malformed image release", { nodeImageRelease: "latest" }, /nodeImageRelease "latest" is not an EKS AMI release/],
    ["a single subnet", { subnetIds: ["subnet-a"] }, /at least 2 subnets in different AZs are required, got 1/],
    ["an invalid log retention", { logRetentionDays: 100 }, /logRetentionDays 100 is not a CloudWatch Logs retention value/],
    ["a public endpoint without CIDRs", { endpoint: { publicAccess: true, publicAccessCidrs: [] } }, /publicAccess needs publicAccessCidrs/],
    ["a public endpoint open to the internet", { endpoint: { publicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } }, /"0\.0\.0\.0\/0" opens the API to the internet/],
    ["a malformed CIDR", { endpoint: { publicAccess: true, publicAccessCidrs: ["10.0.0.1"] } }, /"10\.0\.0\.1" is not an IPv4 CIDR/],
    ["an admin that is not a role", { adminRoleArns: ["arn:aws:iam::111111111111:user/alice"] }, /"arn:aws:iam::111111111111:user\/alice" is an IAM user; access entries are granted to roles here/],
    ["an IAM Identity Center role without its path", { viewerRoleArns: ["arn:aws:iam::111111111111:role/AWSReservedSSO_Ops_0123456789abcdef"] }, /is an IAM Identity Center role without its path: EKS rejects it \(invalid principal\)/],
    ["an STS session", { adminRoleArns: ["arn:aws:sts::111111111111:assumed-role/ops/alice"] }, /is an STS session \(assumed-role\) ARN/],
    ["the CI plan role as admin", { ciPlanRoleArn: PLAN_ROLE, adminRoleArns: [PLAN_ROLE] }, /is the CI plan role, which is read-only by design: remove it from the admin roles/],
    ["the CI deploy role as viewer", { viewerRoleArns: [CI_ROLE] }, /is the CI deploy role, which is cluster admin: remove it from the viewer roles/],
    ["a role both admin and viewer", { adminRoleArns: ["arn:aws:iam::111111111111:role/ops"], viewerRoleArns: ["arn:aws:iam::111111111111:role/ops"] }, /is both an admin and a viewer role; a principal has one access entry/],
    ["a permission set both admin and viewer", { adminPermissionSets: ["Ops"], viewerPermissionSets: ["Ops"] }, /permission set "Ops" is both admin and viewer/],
    ["a malformed permission set", { adminPermissionSets: ["Ops Team"] }, /permission set "Ops Team": expected an IAM Identity Center permission set name/],
    ["an unpinned add-on version", { managedAddons: { ...REQUIRED.managedAddons, coreDns: "latest" } }, /managedAddons\.coreDns "latest" is not an EKS add-on version/],
    ["no node pool", { nodePools: [] }, /at least one node pool is required/],
    ["a pool name with capitals", pool({ name: "System" }), /node pool name "System" must be 1-20 of a-z/],
    ["two pools of one name", { nodePools: [SYSTEM_POOL, SYSTEM_POOL] }, /node pool "system" is defined twice/],
    ["a pool without instance types", pool({ instanceTypes: [] }), /node pool system: at least one instance type is required/],
    ["a Graviton type with the x86 image", pool({ amiType: "AL2023_x86_64_STANDARD" }), /m7g\.xlarge is arm64 but amiType AL2023_x86_64_STANDARD is for x86_64; use amiType AL2023_ARM_64_STANDARD/],
    ["an x86 type with the ARM image", pool({ instanceTypes: ["m6i.large"] }), /m6i\.large is x86_64 but amiType AL2023_ARM_64_STANDARD is for arm64/],
    ["an unknown instance family", pool({ instanceTypes: ["z9q.large"] }), /unknown instance family "z9q" \(z9q\.large\); known families: .*m7g/],
    ["a malformed instance type", pool({ instanceTypes: ["large"] }), /"large" is not an instance type; expected <family>\.<size>/],
    ["min above max", pool({ minSize: 5, desiredSize: 5, maxSize: 4 }), /node pool system: minSize 5 is greater than maxSize 4/],
    ["desired above max", pool({ desiredSize: 7 }), /node pool system: desiredSize 7 must lie between minSize 3 and maxSize 6/],
    ["desired below min", pool({ desiredSize: 2 }), /node pool system: desiredSize 2 must lie between minSize 3 and maxSize 6/],
  ];
  for (const [what, props, message] of cases) {
    it(`rejects ${what}`, () => {
      expect(construct(props)).toThrow(message);
    });
  }
});
