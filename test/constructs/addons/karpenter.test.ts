import { Testing, TerraformStack } from "cdktf";
import { describe, expect, it } from "vitest";
import { localChartOf, releaseValuesProblems } from "../../../charts/values-check";
import { INTERRUPTION_EVENTS, Karpenter, karpenterControllerStatements, type KarpenterProps } from "../../../constructs/addons/karpenter";
import { Naming } from "../../../constructs/core/naming";
import { resourceList, resourcesOf, synthConstruct, TEST_ACCOUNT } from "../../support/synth";
import { expectExplicitActions, expectJustifiedWildcards, expectTrustScopedTo, identityPolicies } from "./iam-assertions";
import { defined, overridesOf, releaseNamed } from "./support";

const naming = new Naming({ project: "acme", environment: "prod" });
const NODE_KEY = "arn:aws:kms:eu-west-1:123456789012:key/cluster";
const props: KarpenterProps = {
  naming,
  account: TEST_ACCOUNT,
  clusterName: "acme-prod-eks",
  clusterEndpoint: "https://example.eks.amazonaws.com",
  nodeSecurityGroupIds: ["sg-cluster", "sg-workloads"],
  nodeKeyArn: NODE_KEY,
  nodeImageRelease: "1.35.4-20260512",
  replicas: 2,
  nodeTags: { Project: "acme" },
  nodePool: {
    architectures: ["arm64"],
    capacityTypes: ["on-demand"],
    instanceFamilies: ["m7g", "c7g"],
    cpuLimit: 256,
    memoryLimitGiB: 1024,
    consolidationPolicy: "WhenEmptyOrUnderutilized",
    consolidateAfter: "10m",
    expireAfter: "720h",
    disruptionBudget: "10%",
    diskSizeGiB: 50,
  },
};

const pool = (change: Partial<KarpenterProps["nodePool"]>) => ({ nodePool: { ...props.nodePool, ...change } });

describe("Karpenter", () => {
  const { json } = synthConstruct((scope) => new Karpenter(scope, "karpenter", props));
  const queueRef = defined(Object.keys(resourcesOf(json, "aws_sqs_queue"))[0], "queue");

  it("creates an encrypted, short-lived interruption queue fed by the four EventBridge rules", () => {
    expect(resourceList(json, "aws_sqs_queue")).toEqual([
      { name: "acme-prod-karpenter-interruptions", message_retention_seconds: 300, sqs_managed_sse_enabled: true },
    ]);
    const patterns = resourceList(json, "aws_cloudwatch_event_rule").map((rule) => JSON.parse(rule.event_pattern as string));
    expect(patterns).toHaveLength(4);
    expect(patterns).toEqual(expect.arrayContaining(Object.values(INTERRUPTION_EVENTS).map((event) => ({ source: [event.source], "detail-type": [event.detailType] }))));
    for (const target of resourceList(json, "aws_cloudwatch_event_target")) expect(target.arn).toBe(`\${aws_sqs_queue.${queueRef}.arn}`);
    const queuePolicy = defined(Object.values(json.data?.aws_iam_policy_document ?? {}).find((doc) => JSON.stringify(doc).includes("EventBridgeDelivers")));
    expect(queuePolicy.statement).toContainEqual(expect.objectContaining({ sid: "DenyInsecureTransport", effect: "Deny" }));
  });

  it("gives nodes a minimal role, an instance profile and an EC2_LINUX access entry", () => {
    expect(resourceList(json, "aws_iam_role_policy_attachment").map((attachment) => attachment.policy_arn).sort()).toEqual([
      "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
      "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    ]);
    expect(resourceList(json, "aws_iam_instance_profile")[0]).toMatchObject({ name: "acme-prod-karpenter-node" });
    expect(resourceList(json, "aws_eks_access_entry")[0]).toMatchObject({ cluster_name: "acme-prod-eks", type: "EC2_LINUX" });
  });

  it("installs the pinned chart from its OCI registry with the interruption queue and explicit region", () => {
    const release = releaseNamed(json, "karpenter");
    expect(release.attributes).toMatchObject({ chart: "karpenter", repository: "oci://public.ecr.aws/karpenter", version: "1.14.1", namespace: "kube-system" });
    expect(overridesOf(release)).toEqual({
      replicas: 2,
      serviceAccount: { create: true, name: "karpenter" },
      settings: { clusterName: "acme-prod-eks", clusterEndpoint: "https://example.eks.amazonaws.com", interruptionQueue: `\${aws_sqs_queue.${queueRef}.name}`, eksControlPlane: true },
      controller: { env: [{ name: "AWS_REGION", value: "eu-west-1" }] },
    });
  });

  it("renders EC2NodeClass and NodePool through the local chart, after the Karpenter release", () => {
    const nodes = releaseNamed(json, "karpenter-nodes");
    expect(localChartOf(String(nodes.attributes.chart))).toBe("karpenter-nodes");
    expect((nodes.attributes.depends_on as string[]).some((ref) => ref.startsWith("helm_release.karpenter_release_"))).toBe(true);
    const values = overridesOf(nodes) as { nodeClass: Record<string, unknown>; nodePool: Record<string, unknown> };
    expect(values.nodeClass).toMatchObject({
      amiAlias: "al2023@v20260512",
      securityGroupIds: ["sg-cluster", "sg-workloads"],
      metadataHopLimit: 1,
      kmsKeyArn: NODE_KEY,
      subnetDiscoveryTag: "acme-prod-eks",
      volumeSizeGiB: 50,
      tags: { Project: "acme" },
    });
    expect(values.nodePool).toMatchObject({
      architectures: ["arm64"],
      capacityTypes: ["on-demand"],
      instanceFamilies: ["m7g", "c7g"],
      limits: { cpu: 256, memoryGiB: 1024 },
      consolidationPolicy: "WhenEmptyOrUnderutilized",
      consolidateAfter: "10m",
      expireAfter: "720h",
      disruptionBudget: "10%",
    });
    expect(json.resource?.kubernetes_manifest).toBeUndefined();
    expect(releaseValuesProblems(json)).toEqual([]);
  });

  it("maps architectures to Kubernetes names for the NodePool", () => {
    const mixed = synthConstruct((scope) =>
      new Karpenter(scope, "karpenter", { ...props, nodePool: { ...props.nodePool, architectures: ["arm64", "x86_64"], instanceFamilies: ["m7g", "m7i"] } }),
    ).json;
    const values = overridesOf(releaseNamed(mixed, "karpenter-nodes")) as { nodePool: { architectures: string[] } };
    expect(values.nodePool.architectures).toEqual(["arm64", "amd64"]);
  });

  it("trusts exactly kube-system/karpenter and launches or terminates only instances tagged for this cluster", () => {
    expectTrustScopedTo(json, "karpenter_identity", { cluster: "acme-prod-eks", namespace: "kube-system", serviceAccount: "karpenter" });
    const { permissions } = identityPolicies(json, "karpenter_identity");
    expectExplicitActions(permissions);
    const terminate = defined(permissions.find((statement) => statement.sid === "TerminateOwnInstances"));
    expect(terminate.condition).toContainEqual({ test: "StringEquals", variable: "aws:ResourceTag/kubernetes.io/cluster/acme-prod-eks", values: ["owned"] });
    const pass = defined(permissions.find((statement) => statement.sid === "PassNodeRole"));
    expect(pass.resources).toEqual([expect.stringMatching(/^\$\{aws_iam_role\.karpenter_node-role_.*\.arn\}$/)]);
    expect(permissions.find((statement) => statement.sid === "EncryptNodeVolumes")).toMatchObject({
      resources: [NODE_KEY],
      condition: [{ test: "StringEquals", variable: "kms:ViaService", values: ["ec2.eu-west-1.amazonaws.com"] }],
    });
    expect(permissions.some((statement) => statement.actions?.some((action) => action.startsWith("iam:CreateInstanceProfile")))).toBe(false);
  });

  it("justifies every wildcard resource", () => {
    const statements = karpenterControllerStatements({ account: TEST_ACCOUNT, clusterName: "c", queueArn: "q", nodeRoleArn: "r", instanceProfileArn: "p", nodeKeyArn: "k" });
    expectJustifiedWildcards(statements);
    expect(statements.filter((statement) => statement.resources?.includes("*")).map((statement) => statement.sid)).toEqual(["RegionalReads", "ReadPricing"]);
  });

  const invalid: [string, Partial<KarpenterProps>, RegExp][] = [
    ["a malformed image release", { nodeImageRelease: "latest" }, /nodeImageRelease "latest" is not an EKS AMI release/],
    ["no node security groups", { nodeSecurityGroupIds: [] }, /nodeSecurityGroupIds must name the cluster and workload security groups/],
    ["an unknown family", pool({ instanceFamilies: ["zz9"] }), /unknown instance family "zz9"/],
    ["a family of another architecture", pool({ instanceFamilies: ["m7i"] }), /m7i is x86_64, not one of arm64/],
    ["no capacity type", pool({ capacityTypes: [] }), /capacityTypes must list on-demand and\/or spot/],
    ["a zero cpu limit", pool({ cpuLimit: 0 }), /nodePool\.cpuLimit must be a positive integer, got 0/],
    ["a malformed duration", pool({ expireAfter: "30 days" }), /nodePool\.expireAfter "30 days" is not a duration/],
    ["a malformed budget", pool({ disruptionBudget: "all" }), /nodePool\.disruptionBudget "all" is not a percentage/],
    ["zero replicas", { replicas: 0 }, /Karpenter: replicas must be an integer from 1 to 10/],
  ];
  for (const [what, change, message] of invalid) {
    it(`rejects ${what}`, () => {
      expect(() => new Karpenter(new TerraformStack(Testing.app(), "t"), "karpenter", { ...props, ...change })).toThrow(message);
    });
  }
});

describe("Karpenter allow-lists and Session Manager", () => {
  it("allows every type and size of the families by default (empty allow-lists)", () => {
    const { json } = synthConstruct((scope) => new Karpenter(scope, "karpenter", props));
    expect(overridesOf(releaseNamed(json, "karpenter-nodes")).nodePool).toMatchObject({ instanceTypes: [], instanceSizes: [] });
  });

  it("passes instance type and size allow-lists to the NodePool", () => {
    const { json } = synthConstruct((scope) => new Karpenter(scope, "karpenter", { ...props, ...pool({ instanceTypes: ["m7g.xlarge", "c7g.2xlarge"], instanceSizes: ["xlarge", "2xlarge"] }) }));
    expect(overridesOf(releaseNamed(json, "karpenter-nodes")).nodePool).toMatchObject({ instanceTypes: ["m7g.xlarge", "c7g.2xlarge"], instanceSizes: ["xlarge", "2xlarge"] });
    expect(releaseValuesProblems(json)).toEqual([]);
  });

  it("rejects a type outside the families or the sizes, and an unknown size", () => {
    expect(() => synthConstruct((scope) => new Karpenter(scope, "karpenter", { ...props, ...pool({ instanceTypes: ["r7g.xlarge"] }) }))).toThrow(/r7g\.xlarge is not of the pool's instanceFamilies/);
    expect(() => synthConstruct((scope) => new Karpenter(scope, "karpenter", { ...props, ...pool({ instanceTypes: ["m7g.4xlarge"], instanceSizes: ["xlarge"] }) }))).toThrow(/m7g\.4xlarge is not of the pool's instanceSizes/);
    expect(() => synthConstruct((scope) => new Karpenter(scope, "karpenter", { ...props, ...pool({ instanceSizes: ["huge"] }) }))).toThrow(/"huge" is not an EC2 instance size/);
  });

  it("lets Session Manager reach its nodes when asked", () => {
    const { json } = synthConstruct((scope) => new Karpenter(scope, "karpenter", { ...props, sessionManager: true }));
    expect(resourceList(json, "aws_iam_role_policy_attachment").map((attachment) => attachment.policy_arn)).toContain("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore");
  });
});
