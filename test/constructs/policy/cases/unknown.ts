/**
 * Values the pack cannot know offline (Terraform expressions resolved at plan time): each rule whose declared decision
 * is `finding` reports them instead of passing them (fail closed). One case per behaviour that changed from "skip".
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import type { Construct } from "constructs";
import { cluster, nodeGroup, release } from "./cluster";
import { rdsInstance } from "./databases";
import { container, workload } from "./kubernetes";
import { broker, redis } from "./services";
import { KEY_ARN, type RuleCase } from "./support";

const PLAN_TIME = "${var.from_plan}";
const ECR = "${aws_ecr_repository.api.repository_url}";
const name = "a value known only at plan time";

export const UNKNOWN_CASES: readonly RuleCase[] = [
  {
    rule: "VPC-DEFAULT-SG-CLOSED",
    name,
    compliant: (s: Construct) => new DefaultSecurityGroup(s, "default-sg", { vpcId: new Vpc(s, "vpc", { cidrBlock: "10.0.0.0/16" }).id, ingress: [], egress: [] }),
    violating: (s: Construct) => {
      const group = new DefaultSecurityGroup(s, "default-sg", { vpcId: new Vpc(s, "vpc", { cidrBlock: "10.0.0.0/16" }).id });
      group.addOverride("ingress", PLAN_TIME);
    },
    expect: /rules are an expression, known only at plan time/,
  },
  {
    rule: "SUBNET-NO-AUTO-PUBLIC-IP",
    name,
    compliant: (s) => new Subnet(s, "subnet", { vpcId: "vpc-1", cidrBlock: "10.0.0.0/24", mapPublicIpOnLaunch: false }),
    violating: (s) => new Subnet(s, "subnet", { vpcId: "vpc-1", cidrBlock: "10.0.0.0/24" }).addOverride("map_public_ip_on_launch", PLAN_TIME),
    expect: /map_public_ip_on_launch is "\$\{var\.from_plan\}", known only at plan time/,
  },
  {
    rule: "RDS-NOT-PUBLIC",
    name,
    compliant: (s) => rdsInstance(s, { publiclyAccessible: false }),
    violating: (s) => rdsInstance(s).addOverride("publicly_accessible", PLAN_TIME),
    expect: /publicly_accessible is .* known only at plan time/,
  },
  {
    rule: "RDS-BACKUP-RETENTION",
    name,
    compliant: (s) => rdsInstance(s),
    violating: (s) => rdsInstance(s).addOverride("backup_retention_period", PLAN_TIME),
    expect: /backup_retention_period is .* known only at plan time/,
  },
  {
    rule: "RDS-FINAL-SNAPSHOT",
    name,
    compliant: (s) => rdsInstance(s, { skipFinalSnapshot: false }),
    violating: (s) => rdsInstance(s).addOverride("skip_final_snapshot", PLAN_TIME),
    expect: /skip_final_snapshot is .* known only at plan time/,
  },
  {
    rule: "RDS-FORCE-SSL",
    name,
    compliant: (s) => rdsInstance(s),
    violating: (s) => rdsInstance(s, { engine: PLAN_TIME }),
    expect: /engine is .* known only at plan time/,
  },
  {
    rule: "REDIS-SNAPSHOTS",
    name,
    compliant: (s) => redis(s),
    violating: (s) => redis(s).addOverride("snapshot_retention_limit", PLAN_TIME),
    expect: /snapshot_retention_limit is .* known only at plan time/,
  },
  {
    rule: "REDIS-MULTI-AZ",
    name,
    compliant: (s) => redis(s),
    violating: (s) => redis(s).addOverride("num_cache_clusters", PLAN_TIME),
    expect: /the node count is .* known only at plan time/,
  },
  {
    rule: "MQ-PRIVATE",
    name,
    compliant: (s) => broker(s),
    violating: (s) => broker(s).addOverride("publicly_accessible", PLAN_TIME),
    expect: /publicly_accessible is .* known only at plan time/,
  },
  {
    rule: "EKS-ENDPOINT",
    name,
    profile: "development",
    compliant: (s) => cluster(s, { vpcConfig: { subnetIds: ["subnet-a"], endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } }),
    violating: (s) => cluster(s, { vpcConfig: { subnetIds: ["subnet-a"], endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: [PLAN_TIME] } }),
    expect: /public_access_cidrs hold an expression/,
  },
  {
    rule: "EKS-NG-HA",
    name,
    compliant: (s) => nodeGroup(s),
    violating: (s) => nodeGroup(s).addOverride("subnet_ids", PLAN_TIME),
    expect: /subnet_ids is an expression/,
  },
  {
    rule: "VERSIONS-PINNED",
    name,
    compliant: (s) => {
      new EksAddon(s, "addon", { clusterName: "acme-prod-eks", addonName: "vpc-cni", addonVersion: "v1.20.4-eksbuild.2" });
      release(s);
    },
    violating: (s) => {
      new EksAddon(s, "addon", { clusterName: "acme-prod-eks", addonName: "vpc-cni", addonVersion: "${data.aws_eks_addon_version.cni.version}" });
      release(s, { version: PLAN_TIME });
    },
    expect: [/addon_version is .* known only at plan time/, /is not an exact chart version \(an expression/],
  },
  {
    rule: "LOG-RETENTION",
    name,
    compliant: (s) => new CloudwatchLogGroup(s, "logs", { name: "/acme/prod/app", retentionInDays: 365, kmsKeyId: KEY_ARN }),
    violating: (s) => new CloudwatchLogGroup(s, "logs", { name: "/acme/prod/app", kmsKeyId: KEY_ARN }).addOverride("retention_in_days", PLAN_TIME),
    expect: /retention_in_days is .* known only at plan time/,
  },
  {
    rule: "SQS-ENCRYPTED",
    name,
    compliant: (s) => new SqsQueue(s, "queue", { name: "jobs" }),
    violating: (s) => new SqsQueue(s, "queue", { name: "jobs" }).addOverride("sqs_managed_sse_enabled", PLAN_TIME),
    expect: /sqs_managed_sse_enabled is an expression/,
  },
  {
    rule: "K8S-NO-PRIVILEGED",
    name,
    compliant: (s) => workload(s),
    violating: (s) => workload(s, { container: container({ securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: PLAN_TIME as unknown as boolean, capabilities: { drop: ["ALL"] } } }) }),
    expect: /privileged is an expression/,
  },
  {
    rule: "K8S-NO-HOST-NS",
    name,
    compliant: (s) => workload(s),
    violating: (s) => workload(s, { pod: { hostNetwork: PLAN_TIME as unknown as boolean } }),
    expect: /host_network is an expression/,
  },
  {
    rule: "K8S-IMAGE-PINNED",
    name,
    compliant: (s) => workload(s, { container: container({ image: `${ECR}:1.4.2` }) }),
    violating: (s) => workload(s, { container: container({ image: ECR }) }),
    expect: /is an expression, known only at plan time: whether it is pinned cannot be judged/,
  },
  {
    rule: "K8S-IMAGE-DIGEST",
    name,
    compliant: (s) => workload(s, { container: container({ image: `${ECR}:1.4.2@sha256:${"3f".repeat(32)}` }) }),
    violating: (s) => workload(s, { container: container({ image: `${ECR}:1.4.2` }) }),
    expect: /has no digest/,
  },
  {
    rule: "K8S-HA-SPREAD",
    name,
    compliant: (s) => workload(s),
    violating: (s) => workload(s, { replicas: PLAN_TIME }),
    expect: /the replica count is an expression/,
  },
];
