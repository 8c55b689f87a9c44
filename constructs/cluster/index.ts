/**
 * The EKS cluster of an environment (or dedicated tenant): control plane, access entries, managed add-ons and
 * managed node pools.
 *
 * - Control plane: pinned Kubernetes version, private API endpoint (public only where allowed, and then only
 *   from listed CIDRs), secrets envelope encryption with the cluster CMK, all five control-plane log types to an
 *   encrypted log group with retention, upgrade policy (standard or extended support), deletion protection and
 *   `prevent_destroy` where state is protected.
 * - Access: authentication mode API only (no aws-auth ConfigMap), no implicit admin for the creator; the CI
 *   deploy role and the configured admin roles and permission sets get AmazonEKSClusterAdminPolicy, viewers
 *   AmazonEKSViewPolicy, the CI plan role read-only RBAC through a Kubernetes group (see access.ts).
 * - Workload IAM is EKS Pod Identity (see constructs/workload-identity), including for the VPC CNI and the EBS
 *   CSI driver here. No IAM OIDC provider is created: every AWS SDK the add-ons use supports Pod Identity, and a
 *   role bound by Pod Identity needs no per-cluster issuer in its trust. Add one only for a workload that cannot
 *   use Pod Identity (e.g. on Fargate, where the Pod Identity agent does not run).
 * - Managed add-ons with pinned versions: VPC CNI (with NetworkPolicy enforcement), kube-proxy and the Pod
 *   Identity agent before any node exists; CoreDNS and the EBS CSI driver after the node pools (their
 *   Deployments need nodes to become active). Conflicts resolve in favour of this code on create and update.
 * - Node pools: a managed node group per pool with its own launch template — IMDSv2 required with a hop limit of
 *   1 (pods cannot reach the node role's credentials; they use Pod Identity), encrypted gp3 root volumes with
 *   the cluster CMK, no SSH key, the cluster security group plus the workload security group (data services
 *   admit only the latter) — spread over the private subnets of every AZ, with a minimal node role.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { EksCluster } from "@cdktf/provider-aws/lib/eks-cluster";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { ADDON_VERSION, clusterVersionIssues, KUBERNETES_VERSION, NODE_IMAGE_RELEASE } from "../../config/schema/cluster";
import { LOG_RETENTION_DAYS, parseCidr } from "../../config/schema/primitives";
import { SYSTEM_NAMESPACE } from "../addons/common";
import { partitionOf, servicePrincipal, type AccountScope } from "../core/aws";
import { validateName, type Naming } from "../core/naming";
import { WorkloadIdentity } from "../workload-identity";
import { grantClusterAccess, type ClusterAccess } from "./access";
import { AMI_TYPE_BY_ARCHITECTURE, instanceTypeProblems, type AmiType } from "./instance-families";
import { nodeRole } from "./node-role";
import { ebsCsiDriverStatements, vpcCniStatements } from "./policies";

export { NODE_ROLE_MANAGED_POLICIES } from "./node-role";
export { accessPolicyArn, type ClusterAccess } from "./access";
export { CI_PLAN_KUBERNETES_GROUP } from "./access-rules";

/** Every control-plane log type EKS can export. */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;
/**
 * IMDS hop limit of every node: 1 lets the node itself (kubelet, host-network agents such as the VPC CNI and the
 * Pod Identity agent) reach instance metadata, and keeps every pod — one network hop further — away from the
 * node role's credentials. Add-ons get the region and VPC from configuration instead of IMDS.
 */
export const NODE_METADATA_HOP_LIMIT = 1;
/** Root device of the AL2023 EKS images. */
export const NODE_ROOT_DEVICE = "/dev/xvda";
/** How managed add-ons resolve conflicts with in-cluster edits: this code wins (drift is reverted). */
export const ADDON_CONFLICT_RESOLUTION = "OVERWRITE";
/** Service accounts of the managed add-ons that call AWS APIs. */
export const VPC_CNI_SERVICE_ACCOUNT = "aws-node";
export const EBS_CSI_SERVICE_ACCOUNT = "ebs-csi-controller-sa";

export type SupportType = "STANDARD" | "EXTENDED";
export type CapacityType = "ON_DEMAND" | "SPOT";
export type TaintEffect = "NO_SCHEDULE" | "NO_EXECUTE" | "PREFER_NO_SCHEDULE";

export interface ManagedAddonVersions {
  readonly vpcCni: string;
  readonly coreDns: string;
  readonly kubeProxy: string;
  readonly ebsCsiDriver: string;
  readonly podIdentityAgent: string;
}

export interface NodePoolProps {
  /** Pool name: part of resource names and the construct ids of its resources (stable). */
  readonly name: string;
  /** Instance types of one architecture, matching `amiType`. */
  readonly instanceTypes: readonly string[];
  readonly amiType: AmiType;
  readonly capacityType: CapacityType;
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
  /** Root volume size in GiB. */
  readonly diskSizeGiB: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly { readonly key: string; readonly value?: string; readonly effect: TaintEffect }[];
  /** Share of nodes replaced at once during an update. */
  readonly maxUnavailablePercentage: number;
  /** EKS node auto repair. */
  readonly autoRepair: boolean;
}

export interface ClusterEndpointProps {
  /** Also expose the API endpoint publicly. */
  readonly publicAccess: boolean;
  /** CIDRs allowed to reach the public endpoint (required when public; never 0.0.0.0/0). */
  readonly publicAccessCidrs: readonly string[];
}

export interface ClusterProps {
  readonly naming: Naming;
  readonly account: AccountScope;
  /** Kubernetes minor version, e.g. "1.35". */
  readonly kubernetesVersion: string;
  /** EKS AL2023 AMI release of the managed node groups, e.g. "1.35.4-20260512" (same minor as the cluster). */
  readonly nodeImageRelease: string;
  /** Private subnets (one per AZ): control-plane network interfaces and nodes. */
  readonly subnetIds: readonly string[];
  /** Key for secrets envelope encryption and node root volumes. */
  readonly clusterKey: KmsKey;
  /** Key of the control-plane log group. */
  readonly logsKey: KmsKey;
  /** Key the EBS CSI driver encrypts persistent volumes with (the storage class names it). */
  readonly volumeKey: KmsKey;
  /** Retention of the control-plane log group (a CloudWatch Logs retention value). */
  readonly logRetentionDays: number;
  /** Security group every node joins (data services admit only it). */
  readonly workloadSecurityGroupId: string;
  /** The CI deploy role: cluster admin, so CI can install the platform stack. */
  readonly ciDeployRoleArn: string;
  /**
   * The CI plan role of the cluster's environment: an access entry in the Kubernetes group CI_PLAN_KUBERNETES_GROUP,
   * which the platform stack binds to read-only RBAC, so pull-request plans of the platform and tenant stacks work.
   * @default none — no access for a plan role
   */
  readonly ciPlanRoleArn?: string;
  readonly managedAddons: ManagedAddonVersions;
  readonly nodePools: readonly NodePoolProps[];
  /**
   * API endpoint exposure.
   * @default private only — the endpoint is reachable from inside the VPC (and peered networks) alone
   */
  readonly endpoint?: ClusterEndpointProps;
  /**
   * Upgrade policy at the end of standard support.
   * @default "STANDARD" — the cluster is upgraded when standard support ends, at no extra cost
   */
  readonly supportType?: SupportType;
  /**
   * Roles granted cluster admin, in addition to the CI deploy role.
   * @default none
   */
  readonly adminRoleArns?: readonly string[];
  /**
   * Roles granted read-only access to every namespace.
   * @default none
   */
  readonly viewerRoleArns?: readonly string[];
  /**
   * IAM Identity Center permission sets whose role in the cluster's account is granted cluster admin.
   * @default none
   */
  readonly adminPermissionSets?: readonly string[];
  /**
   * IAM Identity Center permission sets whose role in the cluster's account is granted read-only access.
   * @default none
   */
  readonly viewerPermissionSets?: readonly string[];
  /**
   * Enforce NetworkPolicies with the VPC CNI network policy agent.
   * @default true — without an enforcing agent a NetworkPolicy is silently ignored
   */
  readonly networkPolicy?: boolean;
  /**
   * Deletion protection on the cluster and `prevent_destroy` on it.
   * @default true — environments opt out explicitly (development)
   */
  readonly protect?: boolean;
  /**
   * Let Session Manager reach the nodes (their role gets AmazonSSMManagedInstanceCore); there is never an SSH key.
   * @default false — no interactive access to nodes
   */
  readonly sessionManager?: boolean;
  /**
   * The Cluster Autoscaler owns the node groups' desired size (`addons.clusterAutoscaler.enabled`): Terraform then
   * sets it only on creation and ignores it afterwards, or every apply would reset what the autoscaler chose (the EKS
   * API reference, NodegroupScalingConfig.desiredSize: "If you use the Kubernetes Cluster Autoscaler, you shouldn't
   * change the desiredSize value directly").
   * @default false — desiredSize from configuration is applied on every apply
   */
  readonly autoscaled?: boolean;
}

const DEFAULT_ENDPOINT: ClusterEndpointProps = { publicAccess: false, publicAccessCidrs: [] };
const DEFAULT_SUPPORT_TYPE: SupportType = "STANDARD";

/** One managed add-on: its EKS name, configured version and whether it must exist before any node. */
const MANAGED_ADDONS = [
  { key: "vpcCni", name: "vpc-cni", beforeNodes: true },
  { key: "kubeProxy", name: "kube-proxy", beforeNodes: true },
  { key: "podIdentityAgent", name: "eks-pod-identity-agent", beforeNodes: true },
  { key: "coreDns", name: "coredns", beforeNodes: false },
  { key: "ebsCsiDriver", name: "aws-ebs-csi-driver", beforeNodes: false },
] as const satisfies readonly { key: keyof ManagedAddonVersions; name: string; beforeNodes: boolean }[];

export class Cluster extends Construct {
  readonly cluster: EksCluster;
  /** Cluster name (a token of the cluster resource, so consumers depend on it). */
  readonly name: string;
  readonly role: IamRole;
  readonly nodeRole: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  /** Security group EKS creates for the control plane and nodes. */
  readonly clusterSecurityGroupId: string;
  readonly addons: Readonly<Record<keyof ManagedAddonVersions, EksAddon>>;
  /** Node groups and launch templates by pool name. */
  readonly nodeGroups: Readonly<Record<string, EksNodeGroup>>;
  readonly launchTemplates: Readonly<Record<string, LaunchTemplate>>;
  readonly vpcCniIdentity: WorkloadIdentity;
  readonly ebsCsiIdentity: WorkloadIdentity;
  /** Access entries and the permission sets' role lookups. */
  readonly access: ClusterAccess;

  constructor(scope: Construct, id: string, props: ClusterProps) {
    super(scope, id);
    const endpoint = props.endpoint ?? DEFAULT_ENDPOINT;
    const protect = props.protect ?? true;
    validate(props, endpoint);
    const { naming, account } = props;
    const partition = partitionOf(account.region);
    const clusterName = naming.clusterName;

    this.role = this.clusterRole(props);
    this.logGroup = new CloudwatchLogGroup(this, "control-plane-logs", {
      // The name is fixed by EKS: it writes to /aws/eks/<cluster>/cluster.
      name: validateName("log-group", `/aws/eks/${clusterName}/cluster`),
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logsKey.arn,
    });

    this.cluster = new EksCluster(this, "cluster", {
      name: clusterName,
      version: props.kubernetesVersion,
      roleArn: this.role.arn,
      vpcConfig: {
        subnetIds: [...props.subnetIds],
        endpointPrivateAccess: true,
        endpointPublicAccess: endpoint.publicAccess,
        ...(endpoint.publicAccess ? { publicAccessCidrs: [...endpoint.publicAccessCidrs] } : {}),
      },
      accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
      encryptionConfig: { resources: ["secrets"], provider: { keyArn: props.clusterKey.arn } },
      enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
      upgradePolicy: { supportType: props.supportType ?? DEFAULT_SUPPORT_TYPE },
      // The managed add-ons below replace the self-managed defaults EKS would otherwise install.
      bootstrapSelfManagedAddons: false,
      deletionProtection: protect,
      lifecycle: { preventDestroy: protect },
      dependsOn: [this.logGroup],
    });
    this.name = this.cluster.name;
    this.clusterSecurityGroupId = this.cluster.vpcConfig.clusterSecurityGroupId;

    this.access = grantClusterAccess(this, {
      clusterName: this.name,
      partition,
      accountId: account.accountId,
      ciDeployRoleArn: props.ciDeployRoleArn,
      ...(props.ciPlanRoleArn ? { ciPlanRoleArn: props.ciPlanRoleArn } : {}),
      adminRoleArns: props.adminRoleArns ?? [],
      viewerRoleArns: props.viewerRoleArns ?? [],
      adminPermissionSets: props.adminPermissionSets ?? [],
      viewerPermissionSets: props.viewerPermissionSets ?? [],
    });

    this.vpcCniIdentity = new WorkloadIdentity(this, "vpc-cni-identity", {
      account,
      clusterName: this.name,
      namespace: SYSTEM_NAMESPACE,
      serviceAccount: VPC_CNI_SERVICE_ACCOUNT,
      roleName: naming.name("iam-role", "vpc-cni"),
      statements: vpcCniStatements(account),
    });
    this.ebsCsiIdentity = new WorkloadIdentity(this, "ebs-csi-identity", {
      account,
      clusterName: this.name,
      namespace: SYSTEM_NAMESPACE,
      serviceAccount: EBS_CSI_SERVICE_ACCOUNT,
      roleName: naming.name("iam-role", "ebs-csi-driver"),
      statements: ebsCsiDriverStatements(account, props.volumeKey.arn),
    });

    const addons = {} as Record<keyof ManagedAddonVersions, EksAddon>;
    const identities: Partial<Record<keyof ManagedAddonVersions, WorkloadIdentity>> = {
      vpcCni: this.vpcCniIdentity,
      ebsCsiDriver: this.ebsCsiIdentity,
    };
    const configuration: Partial<Record<keyof ManagedAddonVersions, Record<string, unknown>>> = {
      vpcCni: { enableNetworkPolicy: String(props.networkPolicy ?? true) },
    };
    const addon = (entry: (typeof MANAGED_ADDONS)[number], dependsOn: ITerraformDependable[]) => {
      const identity = identities[entry.key];
      const values = configuration[entry.key];
      addons[entry.key] = new EksAddon(this, `addon-${entry.name}`, {
        clusterName: this.name,
        addonName: entry.name,
        addonVersion: props.managedAddons[entry.key],
        resolveConflictsOnCreate: ADDON_CONFLICT_RESOLUTION,
        resolveConflictsOnUpdate: ADDON_CONFLICT_RESOLUTION,
        ...(values ? { configurationValues: JSON.stringify(values) } : {}),
        dependsOn: [...dependsOn, ...(identity ? [identity.association] : [])],
      });
    };
    for (const entry of MANAGED_ADDONS.filter((candidate) => candidate.beforeNodes)) addon(entry, []);

    const nodes = nodeRole(this, {
      account,
      name: naming.name("iam-role", "eks-node"),
      description: "EKS managed node groups: join the cluster and pull images; pods use Pod Identity",
      sessionManager: props.sessionManager ?? false,
    });
    this.nodeRole = nodes.role;
    const nodeGroups: Record<string, EksNodeGroup> = {};
    const launchTemplates: Record<string, LaunchTemplate> = {};
    // Nodes join once the role can be assumed with its policies and the network add-ons exist.
    const beforeNodes = [...nodes.attachments, ...MANAGED_ADDONS.filter((entry) => entry.beforeNodes).map((entry) => addons[entry.key])];
    for (const pool of props.nodePools) {
      const { launchTemplate, nodeGroup } = this.nodePool(props, pool, beforeNodes);
      launchTemplates[pool.name] = launchTemplate;
      nodeGroups[pool.name] = nodeGroup;
    }
    for (const entry of MANAGED_ADDONS.filter((candidate) => !candidate.beforeNodes)) addon(entry, Object.values(nodeGroups));

    this.addons = addons;
    this.nodeGroups = nodeGroups;
    this.launchTemplates = launchTemplates;
  }

  private clusterRole(props: ClusterProps): IamRole {
    const { naming, account } = props;
    const trust = new DataAwsIamPolicyDocument(this, "cluster-trust", {
      statement: [
        {
          actions: ["sts:AssumeRole", "sts:TagSession"],
          principals: [{ type: "Service", identifiers: [servicePrincipal("eks")] }],
          condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] }],
        },
      ],
    });
    const role = new IamRole(this, "cluster-role", {
      name: naming.name("iam-role", "eks-cluster"),
      description: "EKS control plane",
      assumeRolePolicy: trust.json,
    });
    new IamRolePolicyAttachment(this, "cluster-role-policy", {
      role: role.name,
      policyArn: managedPolicyArn(account, "AmazonEKSClusterPolicy"),
    });
    const secretsKey = new DataAwsIamPolicyDocument(this, "cluster-secrets-key", {
      statement: [{ actions: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"], resources: [props.clusterKey.arn] }],
    });
    new IamRolePolicy(this, "cluster-secrets-key-policy", { name: "secrets-encryption", role: role.id, policy: secretsKey.json });
    return role;
  }

  private nodePool(props: ClusterProps, pool: NodePoolProps, beforeNodes: readonly ITerraformDependable[]) {
    const { naming } = props;
    const launchTemplate = new LaunchTemplate(this, `node-pool-${pool.name}-template`, {
      name: naming.name("launch-template", "eks", pool.name),
      description: `EKS node pool ${pool.name}: IMDSv2, encrypted root volume, no SSH`,
      updateDefaultVersion: true,
      metadataOptions: {
        httpEndpoint: "enabled",
        httpTokens: "required",
        httpPutResponseHopLimit: NODE_METADATA_HOP_LIMIT,
        instanceMetadataTags: "disabled",
      },
      blockDeviceMappings: [
        {
          deviceName: NODE_ROOT_DEVICE,
          ebs: {
            volumeSize: pool.diskSizeGiB,
            volumeType: "gp3",
            encrypted: "true",
            kmsKeyId: props.clusterKey.arn,
            deleteOnTermination: "true",
          },
        },
      ],
      // A launch template with security groups replaces the ones EKS would attach: name the cluster's own too.
      vpcSecurityGroupIds: [this.clusterSecurityGroupId, props.workloadSecurityGroupId],
      tagSpecifications: [
        { resourceType: "instance", tags: { Name: naming.name("eks-node-group", pool.name) } },
        { resourceType: "volume", tags: { Name: naming.name("eks-node-group", pool.name) } },
      ],
    });
    const nodeGroup = new EksNodeGroup(this, `node-pool-${pool.name}`, {
      clusterName: this.name,
      nodeGroupName: naming.name("eks-node-group", pool.name),
      nodeRoleArn: this.nodeRole.arn,
      subnetIds: [...props.subnetIds],
      version: this.cluster.version,
      releaseVersion: props.nodeImageRelease,
      amiType: pool.amiType,
      capacityType: pool.capacityType,
      instanceTypes: [...pool.instanceTypes],
      scalingConfig: { minSize: pool.minSize, desiredSize: pool.desiredSize, maxSize: pool.maxSize },
      labels: { ...pool.labels },
      taint: pool.taints.map((taint) => ({ key: taint.key, effect: taint.effect, ...(taint.value === undefined ? {} : { value: taint.value }) })),
      updateConfig: { maxUnavailablePercentage: pool.maxUnavailablePercentage },
      nodeRepairConfig: { enabled: pool.autoRepair },
      launchTemplate: { id: launchTemplate.id, version: `${launchTemplate.latestVersion}` },
      dependsOn: [...beforeNodes],
      ...(props.autoscaled ? { lifecycle: { ignoreChanges: ["scaling_config[0].desired_size"] } } : {}),
    });
    return { launchTemplate, nodeGroup };
  }
}

function managedPolicyArn(account: AccountScope, policy: string): string {
  return `arn:${partitionOf(account.region)}:iam::aws:policy/${policy}`;
}

function validate(props: ClusterProps, endpoint: ClusterEndpointProps): void {
  if (!KUBERNETES_VERSION.test(props.kubernetesVersion)) {
    fail(`kubernetesVersion "${props.kubernetesVersion}" is not a Kubernetes minor version such as "1.35"`);
  }
  const release = NODE_IMAGE_RELEASE.exec(props.nodeImageRelease);
  if (!release) fail(`nodeImageRelease "${props.nodeImageRelease}" is not an EKS AMI release such as "1.35.4-20260512"`);
  if (release && release[1] !== props.kubernetesVersion) {
    fail(`nodeImageRelease ${props.nodeImageRelease} is for Kubernetes ${release[1]}, not ${props.kubernetesVersion}`);
  }
  if (props.subnetIds.length < 2) fail(`at least 2 subnets in different AZs are required, got ${props.subnetIds.length}`);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(props.logRetentionDays)) {
    fail(`logRetentionDays ${props.logRetentionDays} is not a CloudWatch Logs retention value (${LOG_RETENTION_DAYS.join(", ")})`);
  }
  if (endpoint.publicAccess && endpoint.publicAccessCidrs.length === 0) {
    fail("endpoint.publicAccess needs publicAccessCidrs; an empty list would open the API to the internet");
  }
  for (const cidr of endpoint.publicAccessCidrs) {
    if (!parseCidr(cidr)) fail(`endpoint.publicAccessCidrs: "${cidr}" is not an IPv4 CIDR`);
    if (cidr.endsWith("/0")) fail(`endpoint.publicAccessCidrs: "${cidr}" opens the API to the internet; list the networks that need it`);
  }
  for (const [addon, version] of Object.entries(props.managedAddons)) {
    if (!ADDON_VERSION.test(version)) fail(`managedAddons.${addon} "${version}" is not an EKS add-on version such as v1.21.1-eksbuild.8`);
  }
  // Every pinned version must be in the version catalog (support dates are checked by configuration validation).
  const versions = clusterVersionIssues({ ...props, supportType: props.supportType ?? DEFAULT_SUPPORT_TYPE }, undefined);
  for (const issue of versions) fail(`${issue.path.join(".")}: ${issue.message}`);
  if (props.nodePools.length === 0) fail("at least one node pool is required (the add-ons run on it)");
  const names = new Set<string>();
  for (const pool of props.nodePools) {
    if (!/^[a-z][a-z0-9-]{0,19}$/.test(pool.name)) fail(`node pool name "${pool.name}" must be 1-20 of a-z, 0-9 and '-', starting with a letter`);
    if (names.has(pool.name)) fail(`node pool "${pool.name}" is defined twice`);
    names.add(pool.name);
    if (pool.instanceTypes.length === 0) fail(`node pool ${pool.name}: at least one instance type is required`);
    for (const problem of instanceTypeProblems(pool.instanceTypes, pool.amiType)) fail(`node pool ${pool.name}: ${problem.message}`);
    if (pool.minSize > pool.maxSize) fail(`node pool ${pool.name}: minSize ${pool.minSize} is greater than maxSize ${pool.maxSize}`);
    if (pool.desiredSize < pool.minSize || pool.desiredSize > pool.maxSize) {
      fail(`node pool ${pool.name}: desiredSize ${pool.desiredSize} must lie between minSize ${pool.minSize} and maxSize ${pool.maxSize}`);
    }
    if (!Object.values(AMI_TYPE_BY_ARCHITECTURE).includes(pool.amiType)) {
      fail(`node pool ${pool.name}: amiType ${pool.amiType} is not one of ${Object.values(AMI_TYPE_BY_ARCHITECTURE).join(", ")}`);
    }
  }
}

function fail(message: string): never {
  throw new Error(`Cluster: ${message}`);
}
