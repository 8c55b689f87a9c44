/**
 * Karpenter: node autoscaling. Pending pods get right-sized nodes in seconds; empty or underused nodes are
 * consolidated; nodes expire and are replaced with the pinned image. The managed node pool keeps running the
 * add-ons (Karpenter's own controller among them); Karpenter adds capacity for workloads.
 *
 * - Interruption handling: an SQS queue (SSE, TLS only, 5-minute retention) fed by EventBridge rules for spot
 *   interruption warnings, rebalance recommendations, instance state changes and AWS Health scheduled changes,
 *   so Karpenter drains a node before EC2 takes it away.
 * - Nodes: their own minimal role (the same managed policies as the managed node pools) with an instance
 *   profile created here — Karpenter is given the profile, so it needs no permission to create instance
 *   profiles — and an EC2_LINUX access entry so they can join. The EC2NodeClass attaches the cluster and
 *   workload security groups (data services admit only the latter), requires IMDSv2 with hop limit 1, encrypts
 *   root volumes with the cluster key and pins the AL2023 image to the release the managed nodes use.
 * - EC2NodeClass and NodePool are custom resources of CRDs the Karpenter chart installs. They are rendered by
 *   the local chart charts/local/karpenter-nodes in a release that depends on the Karpenter release, because a
 *   `kubernetes_manifest` of a kind the API server does not know yet fails `terraform plan` on a new cluster.
 * - The controller's IAM role (Pod Identity, `kube-system/karpenter`) follows Karpenter's reference policy:
 *   launch and tag only instances, volumes and templates tagged for this cluster and a node pool, terminate only
 *   those, pass only the node role.
 */
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import type { Release } from "@cdktf/provider-helm/lib/release";
import { Construct } from "constructs";
import { GO_DURATION, PERCENTAGE } from "../../../config/schema/addons";
import { NODE_IMAGE_RELEASE } from "../../../config/schema/cluster";
import { chartRelease, localChartRelease } from "../../../charts/release";
import { familyOf, INSTANCE_FAMILIES, INSTANCE_SIZE, KUBERNETES_ARCH, sizeOf, type Architecture } from "../../cluster/instance-families";
import { NODE_METADATA_HOP_LIMIT } from "../../cluster";
import { nodeRole } from "../../cluster/node-role";
import { dnsSuffixOf, partitionOf, servicePrincipal, type AccountScope } from "../../core/aws";
import { WorkloadIdentity, type WorkloadPolicyStatement } from "../../workload-identity";
import { checkReplicas, clusterArn, SYSTEM_NAMESPACE, type AddonBaseProps } from "../common";
import { denyInsecureTransport } from "../../core/secure-transport";

export const KARPENTER_SERVICE_ACCOUNT = "karpenter";
/** Name of the EC2NodeClass and NodePool the platform creates. */
export const KARPENTER_POOL_NAME = "default";
/** Interruption messages older than this are useless: the instance is gone. */
export const INTERRUPTION_QUEUE_RETENTION_SECONDS = 300;

/** EventBridge events Karpenter handles, by rule id. */
export const INTERRUPTION_EVENTS = {
  "scheduled-change": { source: "aws.health", detailType: "AWS Health Event" },
  "spot-interruption": { source: "aws.ec2", detailType: "EC2 Spot Instance Interruption Warning" },
  rebalance: { source: "aws.ec2", detailType: "EC2 Instance Rebalance Recommendation" },
  "instance-state-change": { source: "aws.ec2", detailType: "EC2 Instance State-change Notification" },
} as const;

export type KarpenterCapacityType = "on-demand" | "spot";
export type ConsolidationPolicy = "WhenEmpty" | "WhenEmptyOrUnderutilized";

export interface KarpenterNodePoolProps {
  readonly architectures: readonly Architecture[];
  readonly capacityTypes: readonly KarpenterCapacityType[];
  /** Instance families (each known and of a listed architecture). */
  readonly instanceFamilies: readonly string[];
  /** Only these instance types, of the families. @default every type of the families */
  readonly instanceTypes?: readonly string[];
  /** Only these sizes. @default every size */
  readonly instanceSizes?: readonly string[];
  /** Total vCPUs the pool may provision. */
  readonly cpuLimit: number;
  /** Total memory the pool may provision, in GiB. */
  readonly memoryLimitGiB: number;
  readonly consolidationPolicy: ConsolidationPolicy;
  /** Go duration, e.g. "5m". */
  readonly consolidateAfter: string;
  /** Go duration, e.g. "720h". */
  readonly expireAfter: string;
  /** Percentage of nodes voluntary disruption may take at once, e.g. "10%". */
  readonly disruptionBudget: string;
  /** Root volume size in GiB. */
  readonly diskSizeGiB: number;
}

export interface KarpenterProps extends AddonBaseProps {
  /** API endpoint of the cluster (from the cluster data source). */
  readonly clusterEndpoint: string;
  /** Security groups of Karpenter's nodes: the cluster security group and the workload security group. */
  readonly nodeSecurityGroupIds: readonly string[];
  /** ARN of the key that encrypts node root volumes (the cluster key). */
  readonly nodeKeyArn: string;
  /** EKS AMI release of the managed node groups, e.g. "1.35.4-20260512": Karpenter uses the same build date. */
  readonly nodeImageRelease: string;
  /** Controller replicas. */
  readonly replicas: number;
  readonly nodePool: KarpenterNodePoolProps;
  /**
   * Tags of every instance and volume Karpenter launches.
   * @default none (Karpenter's own cluster and node pool tags only)
   */
  readonly nodeTags?: Readonly<Record<string, string>>;
  /**
   * Let Session Manager reach Karpenter's nodes (their role gets AmazonSSMManagedInstanceCore), as the managed nodes.
   * @default false
   */
  readonly sessionManager?: boolean;
}


export class Karpenter extends Construct {
  readonly queue: SqsQueue;
  readonly rules: Readonly<Record<keyof typeof INTERRUPTION_EVENTS, CloudwatchEventRule>>;
  readonly nodeRole: IamRole;
  readonly instanceProfile: IamInstanceProfile;
  readonly nodeAccess: EksAccessEntry;
  readonly identity: WorkloadIdentity;
  readonly release: Release;
  readonly nodes: Release;

  constructor(scope: Construct, id: string, props: KarpenterProps) {
    super(scope, id);
    const imageDate = validate(props);
    const { naming, account } = props;

    this.queue = new SqsQueue(this, "interruption-queue", {
      name: naming.name("sqs-queue", "karpenter-interruptions"),
      messageRetentionSeconds: INTERRUPTION_QUEUE_RETENTION_SECONDS,
      // SSE-SQS rather than a CMK: EventBridge could only deliver to a CMK-encrypted queue through a key policy
      // granting events.amazonaws.com, and the messages are instance ids and event types, not data.
      sqsManagedSseEnabled: true,
    });
    const queuePolicy = new DataAwsIamPolicyDocument(this, "interruption-queue-policy-document", {
      statement: [
        {
          sid: "EventBridgeDelivers",
          actions: ["sqs:SendMessage"],
          resources: [this.queue.arn],
          principals: [{ type: "Service", identifiers: [servicePrincipal("events"), servicePrincipal("sqs")] }],
        },
        denyInsecureTransport(["sqs:*"], [this.queue.arn]),
      ],
    });
    new SqsQueuePolicy(this, "interruption-queue-policy", { queueUrl: this.queue.url, policy: queuePolicy.json });

    const rules = {} as Record<keyof typeof INTERRUPTION_EVENTS, CloudwatchEventRule>;
    for (const [ruleId, event] of Object.entries(INTERRUPTION_EVENTS) as [keyof typeof INTERRUPTION_EVENTS, (typeof INTERRUPTION_EVENTS)[keyof typeof INTERRUPTION_EVENTS]][]) {
      const rule = new CloudwatchEventRule(this, `rule-${ruleId}`, {
        name: naming.name("event-rule", "karpenter", ruleId),
        description: `Karpenter interruption handling: ${event.detailType}`,
        eventPattern: JSON.stringify({ source: [event.source], "detail-type": [event.detailType] }),
      });
      new CloudwatchEventTarget(this, `rule-${ruleId}-target`, { rule: rule.name, arn: this.queue.arn, targetId: "karpenter-interruption-queue" });
      rules[ruleId] = rule;
    }
    this.rules = rules;

    const nodes = nodeRole(this, {
      account,
      name: naming.name("iam-role", "karpenter-node"),
      description: "Karpenter nodes: join the cluster and pull images; pods use Pod Identity",
      sessionManager: props.sessionManager ?? false,
    });
    this.nodeRole = nodes.role;
    this.instanceProfile = new IamInstanceProfile(this, "node-instance-profile", {
      name: naming.name("iam-instance-profile", "karpenter-node"),
      role: this.nodeRole.name,
    });
    this.nodeAccess = new EksAccessEntry(this, "node-access", {
      clusterName: props.clusterName,
      principalArn: this.nodeRole.arn,
      type: "EC2_LINUX",
    });

    this.identity = new WorkloadIdentity(this, "identity", {
      account,
      clusterName: props.clusterName,
      namespace: SYSTEM_NAMESPACE,
      serviceAccount: KARPENTER_SERVICE_ACCOUNT,
      roleName: naming.name("iam-role", "karpenter-controller"),
      statements: karpenterControllerStatements({
        account,
        clusterName: props.clusterName,
        queueArn: this.queue.arn,
        nodeRoleArn: this.nodeRole.arn,
        instanceProfileArn: this.instanceProfile.arn,
        nodeKeyArn: props.nodeKeyArn,
      }),
    });
    this.release = chartRelease(this, "release", {
      chart: "karpenter",
      name: "karpenter",
      namespace: SYSTEM_NAMESPACE,
      overrides: {
        replicas: props.replicas,
        serviceAccount: { create: true, name: KARPENTER_SERVICE_ACCOUNT },
        settings: {
          clusterName: props.clusterName,
          clusterEndpoint: props.clusterEndpoint,
          interruptionQueue: this.queue.name,
          eksControlPlane: true,
        },
        // Pods cannot reach instance metadata (hop limit 1), so the region is given explicitly.
        controller: { env: [{ name: "AWS_REGION", value: account.region }] },
      },
      dependsOn: [this.identity.association],
    });
    const pool = props.nodePool;
    this.nodes = localChartRelease(this, "nodes", {
      chart: "karpenter-nodes",
      name: "karpenter-nodes",
      namespace: SYSTEM_NAMESPACE,
      values: {
        nodeClass: {
          name: KARPENTER_POOL_NAME,
          amiAlias: `al2023@v${imageDate}`,
          instanceProfile: this.instanceProfile.name,
          subnetDiscoveryTag: props.clusterName,
          securityGroupIds: [...props.nodeSecurityGroupIds],
          metadataHopLimit: NODE_METADATA_HOP_LIMIT,
          volumeSizeGiB: pool.diskSizeGiB,
          kmsKeyArn: props.nodeKeyArn,
          tags: { ...props.nodeTags },
        },
        nodePool: {
          name: KARPENTER_POOL_NAME,
          labels: { "node-pool": KARPENTER_POOL_NAME },
          architectures: pool.architectures.map((architecture) => KUBERNETES_ARCH[architecture]),
          capacityTypes: [...pool.capacityTypes],
          instanceFamilies: [...pool.instanceFamilies],
          instanceTypes: [...(pool.instanceTypes ?? [])],
          instanceSizes: [...(pool.instanceSizes ?? [])],
          expireAfter: pool.expireAfter,
          limits: { cpu: pool.cpuLimit, memoryGiB: pool.memoryLimitGiB },
          consolidationPolicy: pool.consolidationPolicy,
          consolidateAfter: pool.consolidateAfter,
          disruptionBudget: pool.disruptionBudget,
        },
      },
      dependsOn: [this.release, this.nodeAccess, ...nodes.attachments],
    });
  }
}

interface ControllerPolicyInput {
  readonly account: AccountScope;
  readonly clusterName: string;
  readonly queueArn: string;
  readonly nodeRoleArn: string;
  readonly instanceProfileArn: string;
  readonly nodeKeyArn: string;
}

/** Karpenter's reference controller policy, scoped to this cluster, region and account. */
export function karpenterControllerStatements(input: ControllerPolicyInput): WorkloadPolicyStatement[] {
  const { account, clusterName } = input;
  const partition = partitionOf(account.region);
  const ec2 = (resource: string, owner = account.accountId) => `arn:${partition}:ec2:${account.region}:${owner}:${resource}`;
  const launched = ["fleet/*", "instance/*", "volume/*", "network-interface/*", "launch-template/*", "spot-instances-request/*"].map((resource) => ec2(resource));
  const clusterTag = `kubernetes.io/cluster/${clusterName}`;
  const requestTagged = [
    { test: "StringEquals", variable: `aws:RequestTag/${clusterTag}`, values: ["owned"] },
    { test: "StringEquals", variable: "aws:RequestTag/eks:eks-cluster-name", values: [clusterName] },
    { test: "StringLike", variable: "aws:RequestTag/karpenter.sh/nodepool", values: ["*"] },
  ];
  const viaEc2 = { test: "StringEquals", variable: "kms:ViaService", values: [`ec2.${account.region}.${dnsSuffixOf(account.region)}`] };
  const resourceTagged = [
    { test: "StringEquals", variable: `aws:ResourceTag/${clusterTag}`, values: ["owned"] },
    { test: "StringLike", variable: "aws:ResourceTag/karpenter.sh/nodepool", values: ["*"] },
  ];
  return [
    {
      sid: "LaunchFromImagesSubnetsAndSecurityGroups",
      actions: ["ec2:RunInstances", "ec2:CreateFleet"],
      resources: [ec2("image/*", ""), ec2("snapshot/*", ""), ec2("security-group/*"), ec2("subnet/*"), ec2("capacity-reservation/*")],
    },
    { sid: "LaunchFromOwnLaunchTemplates", actions: ["ec2:RunInstances", "ec2:CreateFleet"], resources: [ec2("launch-template/*")], condition: resourceTagged },
    { sid: "LaunchTaggedResources", actions: ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"], resources: launched, condition: requestTagged },
    {
      sid: "TagOnLaunch",
      actions: ["ec2:CreateTags"],
      resources: launched,
      condition: [...requestTagged, { test: "StringEquals", variable: "ec2:CreateAction", values: ["RunInstances", "CreateFleet", "CreateLaunchTemplate"] }],
    },
    {
      sid: "TagOwnInstances",
      actions: ["ec2:CreateTags"],
      resources: [ec2("instance/*")],
      condition: [
        ...resourceTagged,
        { test: "ForAllValues:StringEquals", variable: "aws:TagKeys", values: ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"] },
      ],
    },
    {
      sid: "TerminateOwnInstances",
      actions: ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
      resources: [ec2("instance/*"), ec2("launch-template/*")],
      condition: resourceTagged,
    },
    {
      sid: "RegionalReads",
      actions: [
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeCapacityReservations",
        "ec2:DescribeImages",
        "ec2:DescribeInstances",
        "ec2:DescribeInstanceTypeOfferings",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeLaunchTemplates",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSpotPriceHistory",
        "ec2:DescribeSubnets",
      ],
      resources: ["*"],
      condition: [{ test: "StringEquals", variable: "aws:RequestedRegion", values: [account.region] }],
      justification: "EC2 Describe actions do not support resource-level permissions; limited to this region",
    },
    {
      sid: "ReadPublicImageParameters",
      actions: ["ssm:GetParameter"],
      resources: [`arn:${partition}:ssm:${account.region}::parameter/aws/service/*`],
    },
    {
      sid: "ReadPricing",
      actions: ["pricing:GetProducts"],
      resources: ["*"],
      justification: "the Price List API has no resource-level permissions",
    },
    {
      sid: "ConsumeInterruptionQueue",
      actions: ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
      resources: [input.queueArn],
    },
    {
      sid: "PassNodeRole",
      actions: ["iam:PassRole"],
      resources: [input.nodeRoleArn],
      condition: [{ test: "StringEquals", variable: "iam:PassedToService", values: [servicePrincipal("ec2")] }],
    },
    { sid: "ReadNodeInstanceProfile", actions: ["iam:GetInstanceProfile"], resources: [input.instanceProfileArn] },
    { sid: "DiscoverCluster", actions: ["eks:DescribeCluster"], resources: [clusterArn(account, clusterName)] },
    // Root volumes are encrypted with the cluster key: EC2 uses it on the caller's behalf while launching.
    { sid: "DescribeNodeVolumeKey", actions: ["kms:DescribeKey"], resources: [input.nodeKeyArn] },
    {
      sid: "EncryptNodeVolumes",
      actions: ["kms:Decrypt", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncrypt*"],
      resources: [input.nodeKeyArn],
      condition: [viaEc2],
    },
    {
      sid: "GrantNodeVolumeKeyToEc2",
      actions: ["kms:CreateGrant"],
      resources: [input.nodeKeyArn],
      condition: [viaEc2, { test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] }],
    },
  ];
}

/** Validates props; returns the image build date (`YYYYMMDD`) of the node image release. */
function validate(props: KarpenterProps): string {
  checkReplicas("Karpenter", props.replicas);
  const release = NODE_IMAGE_RELEASE.exec(props.nodeImageRelease);
  if (!release) {
    return fail(`nodeImageRelease "${props.nodeImageRelease}" is not an EKS AMI release such as "1.35.4-20260512"`);
  }
  if (props.nodeSecurityGroupIds.length === 0) fail("nodeSecurityGroupIds must name the cluster and workload security groups");
  const pool = props.nodePool;
  if (pool.architectures.length === 0) fail("nodePool.architectures must list at least one architecture");
  if (pool.capacityTypes.length === 0) fail("nodePool.capacityTypes must list on-demand and/or spot");
  if (pool.instanceFamilies.length === 0) fail("nodePool.instanceFamilies must list at least one family");
  for (const family of pool.instanceFamilies) {
    const architecture = INSTANCE_FAMILIES[family];
    if (architecture === undefined) fail(`nodePool.instanceFamilies: unknown instance family "${family}"`);
    else if (!pool.architectures.includes(architecture)) {
      fail(`nodePool.instanceFamilies: ${family} is ${architecture}, not one of ${pool.architectures.join(", ")}`);
    }
  }
  for (const instanceType of pool.instanceTypes ?? []) {
    const family = familyOf(instanceType);
    if (family === undefined || !pool.instanceFamilies.includes(family)) fail(`nodePool.instanceTypes: ${instanceType} is not of the pool's instanceFamilies`);
    const size = sizeOf(instanceType);
    if (pool.instanceSizes && (size === undefined || !pool.instanceSizes.includes(size))) fail(`nodePool.instanceTypes: ${instanceType} is not of the pool's instanceSizes`);
  }
  for (const size of pool.instanceSizes ?? []) if (!INSTANCE_SIZE.test(size)) fail(`nodePool.instanceSizes: "${size}" is not an EC2 instance size`);
  for (const [key, value] of [["cpuLimit", pool.cpuLimit], ["memoryLimitGiB", pool.memoryLimitGiB], ["diskSizeGiB", pool.diskSizeGiB]] as const) {
    if (!Number.isInteger(value) || value < 1) fail(`nodePool.${key} must be a positive integer, got ${value}`);
  }
  for (const [key, value] of [["consolidateAfter", pool.consolidateAfter], ["expireAfter", pool.expireAfter]] as const) {
    if (!GO_DURATION.test(value)) fail(`nodePool.${key} "${value}" is not a duration such as 30s, 10m or 720h`);
  }
  if (!PERCENTAGE.test(pool.disruptionBudget)) fail(`nodePool.disruptionBudget "${pool.disruptionBudget}" is not a percentage such as 10%`);
  return release[2] ?? "";
}

function fail(message: string): never {
  throw new Error(`Karpenter: ${message}`);
}
