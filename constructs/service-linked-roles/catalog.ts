/**
 * Service-linked roles (SLRs) the platform's resources need, and who creates each. Pure data and predicates over
 * synthesized resource bodies, shared by the account stack (which creates the SLRs AWS does not create on first API
 * use), the deploy role (which may let AWS create the others: `iam:CreateServiceLinkedRole` limited by
 * `iam:AWSServiceName`), the generic apply-order check over every synthesized stack (test/stacks/service-linked-roles)
 * and the preflight.
 *
 * An SLR exists once per account. Creating one that already exists fails ("Service role name ... has been taken in
 * this account"), so an account that has one already declares it (project.yaml accounts.<name>.serviceLinkedRoles.
 * existing) and the account stack leaves it alone.
 */
import { parse } from "yaml";

export interface ServiceLinkedRoleFact {
  /** Service principal passed to CreateServiceLinkedRole (`iam:AWSServiceName`). */
  readonly service: string;
  /** The role's name (its ARN is `role/aws-service-role/<service>/<roleName>`). */
  readonly roleName: string;
  /**
   * `api`: the service creates the SLR when its create API is called by a principal allowed
   * `iam:CreateServiceLinkedRole` (the deploy role is). `account-stack`: the API does not (or the caller is a runtime
   * role that may not), so the account stack creates it before any stack needs it.
   */
  readonly createdBy: "api" | "account-stack";
  /** What uses it in this platform. */
  readonly usedBy: string;
  /** Where the rule is documented. */
  readonly source: string;
  /** Terraform types whose create call makes AWS create the role (`createdBy: "api"`; the caller needs iam:CreateServiceLinkedRole). */
  readonly createdWith?: readonly string[];
}

/** Every SLR the platform's resources use, researched per service. */
export const SERVICE_LINKED_ROLES: readonly ServiceLinkedRoleFact[] = [
  {
    service: "opensearchservice.amazonaws.com",
    roleName: "AWSServiceRoleForAmazonOpenSearchService",
    createdBy: "account-stack",
    usedBy: "OpenSearch domains in a VPC (vpc_options): the service creates the domain's network interfaces with it",
    source: "docs.aws.amazon.com/opensearch-service/latest/developerguide/slr.html (the console creates it; API and Terraform callers must create it first); terraform-provider-aws website/docs/r/opensearch_domain.html.markdown, 'VPC based OpenSearch': aws_iam_service_linked_role + depends_on",
  },
  {
    service: "spot.amazonaws.com",
    roleName: "AWSServiceRoleForEC2Spot",
    createdBy: "account-stack",
    usedBy: "Karpenter launching spot capacity (CreateFleet): EC2 creates the SLR only if the caller may iam:CreateServiceLinkedRole, which Karpenter's controller policy does not grant",
    source: "docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-fleet-prerequisites.html ('If you use the AWS CLI or an API, you must ensure that these roles exist'); karpenter.sh getting-started ('aws iam create-service-linked-role --aws-service-name spot.amazonaws.com'); error AuthFailure.ServiceLinkedRoleCreationNotPermitted (kubernetes/kops#16475)",
  },
  {
    service: "config.amazonaws.com",
    roleName: "AWSServiceRoleForConfig",
    createdBy: "account-stack",
    usedBy: "the account baseline's AWS Config recorder (its role_arn)",
    source: "docs.aws.amazon.com/config/latest/developerguide/using-service-linked-roles.html (a recorder created through the API is given the role; PutConfigurationRecorder does not create it)",
  },
  {
    service: "eks.amazonaws.com",
    roleName: "AWSServiceRoleForAmazonEKS",
    createdBy: "api",
    createdWith: ["aws_eks_cluster"],
    usedBy: "EKS clusters",
    source: "docs.aws.amazon.com/eks/latest/userguide/using-service-linked-roles-eks.html ('you don't need to manually create a service-linked role ... when you create a cluster')",
  },
  {
    service: "eks-nodegroup.amazonaws.com",
    roleName: "AWSServiceRoleForAmazonEKSNodegroup",
    createdBy: "api",
    createdWith: ["aws_eks_node_group"],
    usedBy: "EKS managed node groups (and their Auto Scaling groups)",
    source: "docs.aws.amazon.com/eks/latest/userguide/using-service-linked-roles-eks-nodegroups.html",
  },
  {
    service: "autoscaling.amazonaws.com",
    roleName: "AWSServiceRoleForAutoScaling",
    createdBy: "api",
    usedBy: "the Auto Scaling groups of EKS managed node groups",
    source: "docs.aws.amazon.com/autoscaling/ec2/userguide/autoscaling-service-linked-role.html",
  },
  {
    service: "elasticloadbalancing.amazonaws.com",
    roleName: "AWSServiceRoleForElasticLoadBalancing",
    createdBy: "api",
    usedBy: "load balancers the AWS Load Balancer Controller creates (its policy allows iam:CreateServiceLinkedRole for this service)",
    source: "docs.aws.amazon.com/elasticloadbalancing/latest/userguide/elb-service-linked-roles.html",
  },
  {
    service: "rds.amazonaws.com",
    roleName: "AWSServiceRoleForRDS",
    createdBy: "api",
    createdWith: ["aws_rds_cluster", "aws_docdb_cluster"],
    usedBy: "Aurora PostgreSQL and DocumentDB clusters",
    source: "docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAM.ServiceLinkedRoles.html; docs.aws.amazon.com/documentdb/latest/developerguide/service-linked-roles.html",
  },
  {
    service: "elasticache.amazonaws.com",
    roleName: "AWSServiceRoleForElastiCache",
    createdBy: "api",
    createdWith: ["aws_elasticache_replication_group"],
    usedBy: "ElastiCache replication groups",
    source: "docs.aws.amazon.com/AmazonElastiCache/latest/dg/using-service-linked-roles.html",
  },
  {
    service: "mq.amazonaws.com",
    roleName: "AWSServiceRoleForAmazonMQ",
    createdBy: "api",
    createdWith: ["aws_mq_broker"],
    usedBy: "Amazon MQ brokers",
    source: "docs.aws.amazon.com/amazon-mq/latest/developer-guide/using-service-linked-roles.html",
  },
  {
    service: "backup.amazonaws.com",
    roleName: "AWSServiceRoleForBackup",
    createdBy: "api",
    createdWith: ["aws_backup_selection"],
    usedBy: "AWS Backup plans and selections",
    source: "docs.aws.amazon.com/aws-backup/latest/devguide/using-service-linked-roles.html",
  },
  {
    service: "restore-testing.backup.amazonaws.com",
    roleName: "AWSServiceRoleForBackupRestoreTesting",
    createdBy: "api",
    createdWith: ["aws_backup_restore_testing_plan"],
    usedBy: "AWS Backup restore testing plans",
    source: "docs.aws.amazon.com/aws-backup/latest/devguide/using-service-linked-roles.html",
  },
  {
    service: "wafv2.amazonaws.com",
    roleName: "AWSServiceRoleForWAFV2Logging",
    createdBy: "api",
    createdWith: ["aws_wafv2_web_acl_logging_configuration"],
    usedBy: "WAF web ACL logging configurations",
    source: "docs.aws.amazon.com/waf/latest/developerguide/using-service-linked-roles.html",
  },
  {
    service: "guardduty.amazonaws.com",
    roleName: "AWSServiceRoleForAmazonGuardDuty",
    createdBy: "api",
    usedBy: "the account baseline's GuardDuty detectors (applied by an administrator)",
    source: "docs.aws.amazon.com/guardduty/latest/ug/using-service-linked-roles.html",
  },
  {
    service: "malware-protection.guardduty.amazonaws.com",
    roleName: "AWSServiceRoleForAmazonGuardDutyMalwareProtection",
    createdBy: "api",
    usedBy: "GuardDuty EBS malware protection (applied by an administrator)",
    source: "docs.aws.amazon.com/guardduty/latest/ug/slr-permissions-malware-protection.html",
  },
  {
    service: "access-analyzer.amazonaws.com",
    roleName: "AWSServiceRoleForAccessAnalyzer",
    createdBy: "api",
    usedBy: "the account baseline's IAM Access Analyzer (applied by an administrator)",
    source: "docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-using-service-linked-roles.html",
  },
];

export function serviceLinkedRole(service: string): ServiceLinkedRoleFact {
  const fact = SERVICE_LINKED_ROLES.find((candidate) => candidate.service === service);
  if (!fact) throw new Error(`constructs/service-linked-roles/catalog.ts: no service-linked role recorded for ${service}`);
  return fact;
}

/** Services whose SLR AWS creates on first API use: the deploy role may call iam:CreateServiceLinkedRole for these only. */
export const API_CREATED_SLR_SERVICES: readonly string[] = SERVICE_LINKED_ROLES.filter((fact) => fact.createdBy === "api").map((fact) => fact.service);

/** Path of a service's SLRs (`/aws-service-role/<service>/`), as `aws_iam_roles` path_prefix expects it. */
export function serviceLinkedRolePath(service: string): string {
  return `/aws-service-role/${service}/`;
}

type Body = Readonly<Record<string, unknown>>;

/** What an environment's configuration says about the resources that need an SLR the account stack creates. */
export interface ServiceLinkedRoleNeeds {
  readonly services: { readonly opensearch: Readonly<Record<string, unknown>> };
  readonly addons: { readonly karpenter: { readonly enabled: boolean; readonly nodePool: { readonly capacityTypes: readonly string[] } } };
}

/**
 * The account-stack-created SLRs the stacks of an environment (or dedicated tenant) need, from its configuration:
 * every OpenSearch domain runs in the VPC (constructs/opensearch), and Karpenter may launch spot capacity.
 */
export function serviceLinkedRolesNeededBy(environment: ServiceLinkedRoleNeeds): string[] {
  const out: string[] = [];
  if (Object.keys(environment.services.opensearch).length > 0) out.push("opensearchservice.amazonaws.com");
  const { karpenter } = environment.addons;
  if (karpenter.enabled && karpenter.nodePool.capacityTypes.includes("spot")) out.push("spot.amazonaws.com");
  return out;
}

/** A resource that needs an SLR the account stack must create: its type, when it needs it, and which SLR. */
export interface ServiceLinkedRoleRequirement {
  readonly type: string;
  readonly service: string;
  readonly when: (body: Body) => boolean;
  /** The condition in words, for messages. */
  readonly condition: string;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
}

/** Whether a helm_release is Karpenter's node pool release (charts/local/karpenter-nodes) allowing spot capacity. */
function karpenterSpotPool(body: Body): boolean {
  // The local chart (charts/local/karpenter-nodes) is synthesized as an asset path `assets/chart-karpenter-nodes/<hash>`.
  if (typeof body.chart !== "string" || !(body.chart === "karpenter-nodes" || body.chart.includes("chart-karpenter-nodes/"))) return false;
  const values = Array.isArray(body.values) ? body.values : [];
  return values.some((text) => {
    if (typeof text !== "string") return false;
    const parsed = parse(text) as { nodePool?: { capacityTypes?: unknown } } | null;
    const types = parsed?.nodePool?.capacityTypes;
    return Array.isArray(types) && types.includes("spot");
  });
}

/** The committed table (check c): resource type (+ condition) -> the SLR the account stack must have created. */
export const SERVICE_LINKED_ROLE_REQUIREMENTS: readonly ServiceLinkedRoleRequirement[] = [
  { type: "aws_opensearch_domain", service: "opensearchservice.amazonaws.com", when: (body) => present(body.vpc_options), condition: "with vpc_options" },
  { type: "helm_release", service: "spot.amazonaws.com", when: karpenterSpotPool, condition: "Karpenter node pool allowing spot capacity" },
  { type: "aws_config_configuration_recorder", service: "config.amazonaws.com", when: () => true, condition: "any" },
];

/** The requirements a resource of `type` with `body` has. */
export function requirementsOf(type: string, body: Body): ServiceLinkedRoleRequirement[] {
  return SERVICE_LINKED_ROLE_REQUIREMENTS.filter((requirement) => requirement.type === type && requirement.when(body));
}
