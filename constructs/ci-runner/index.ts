/**
 * The CI runner of a VPC: a CodeBuild-hosted GitHub Actions runner in the private subnets, so the jobs that plan or
 * apply the stacks reaching the (private) cluster run where the cluster endpoint is reachable (constructs/ci-runner/rules.ts
 * has the facts and sources).
 *
 * - `aws_codebuild_project` `<prefix>-ci-runner`: GitHub source of the repository, authenticated through the account's
 *   CodeConnections connection (looked up by name; it must be AVAILABLE — a person completes it once, see README), VPC
 *   config in the private subnets with its own security group, logs to a KMS-encrypted log group, no artifacts.
 * - `aws_codebuild_webhook` on WORKFLOW_JOB_QUEUED: GitHub queues a job whose `runs-on` label is
 *   `codebuild-<project>-<run id>-<run attempt>`, CodeBuild starts one build that registers an ephemeral runner.
 * - Its service role can only write its own logs, manage the build's network interfaces in the private subnets and
 *   use the connection. It gets no AWS access for the jobs: a job requests its own GitHub OIDC token and assumes its
 *   stack's plan or deploy role directly.
 * - Its security group may leave only on HTTPS (GitHub, the registries, AWS APIs through NAT or the VPC endpoints);
 *   the cluster's security group admits it on 443.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { CodebuildWebhook } from "@cdktf/provider-aws/lib/codebuild-webhook";
import { DataAwsCodestarconnectionsConnection } from "@cdktf/provider-aws/lib/data-aws-codestarconnections-connection";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import type { RunnerComputeType } from "../../config/schema/environment";
import { partitionOf, servicePrincipal, type AccountScope } from "../core/aws";
import type { GithubRepository } from "../core/github-oidc";
import type { Naming } from "../core/naming";
import {
  CONNECTION_AVAILABLE,
  connectionConsoleUrl,
  RUNNER_BUILD_TIMEOUT_MINUTES,
  RUNNER_ENVIRONMENT_TYPE,
  RUNNER_IMAGE,
  RUNNER_NAME,
  RUNNER_QUEUED_TIMEOUT_MINUTES,
  RUNNER_WEBHOOK_EVENT,
  runnerConnectionName,
} from "./rules";

export interface CiRunnerProps {
  readonly naming: Naming;
  readonly account: AccountScope;
  readonly repository: GithubRepository;
  readonly vpcId: string;
  /** The private subnets (the cluster's). */
  readonly subnetIds: readonly string[];
  /** The cluster's security group: it admits the runner on 443. */
  readonly clusterSecurityGroupId: string;
  /** Encrypts the build logs. */
  readonly logsKey: KmsKey;
  readonly logRetentionDays: number;
  readonly computeType: RunnerComputeType;
  /**
   * Name of the CodeConnections connection to GitHub in this account and region.
   * @default `<project>-github` (rules.ts runnerConnectionName)
   */
  readonly connectionName?: string;
}

export class CiRunner extends Construct {
  /** The CodeBuild project name: jobs run on `codebuild-<projectName>-<run id>-<run attempt>`. */
  readonly projectName: string;
  readonly securityGroup: SecurityGroup;
  readonly role: IamRole;
  readonly project: CodebuildProject;

  constructor(scope: Construct, id: string, props: CiRunnerProps) {
    super(scope, id);
    if (props.subnetIds.length === 0) throw new Error("CiRunner: subnetIds must name the private subnets the runner builds run in");
    const { naming, account } = props;
    const partition = partitionOf(account.region);
    this.projectName = naming.name("codebuild-project", RUNNER_NAME);
    const connectionName = props.connectionName ?? runnerConnectionName(naming.scope.project);
    const projectArn = `arn:${partition}:codebuild:${account.region}:${account.accountId}:project/${this.projectName}`;

    // Plan-time check (the preflight says the same before a deploy): CodeBuild cannot register the repository webhook
    // through a connection that is not AVAILABLE (CodeConnections: PENDING until a person completes the handshake).
    const connection = new DataAwsCodestarconnectionsConnection(this, "connection", {
      name: connectionName,
      lifecycle: {
        postcondition: [
          {
            condition: `\${self.connection_status == "${CONNECTION_AVAILABLE}"}`,
            errorMessage: `GitHub connection ${connectionName} (account ${account.accountId}, ${account.region}) is not ${CONNECTION_AVAILABLE}: a GitHub organization administrator completes it at ${connectionConsoleUrl(account.region)} (Update pending connection), then re-run`,
          },
        ],
      },
    });

    const logGroup = new CloudwatchLogGroup(this, "logs", {
      name: naming.logGroup("codebuild", RUNNER_NAME),
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logsKey.arn,
    });

    this.securityGroup = new SecurityGroup(this, "sg", {
      name: naming.name("security-group", RUNNER_NAME),
      description: "CI runner builds: HTTPS out only (GitHub, registries, AWS APIs)",
      vpcId: props.vpcId,
      tags: { Name: naming.name("security-group", RUNNER_NAME) },
    });
    new VpcSecurityGroupEgressRule(this, "egress-https", {
      securityGroupId: this.securityGroup.id,
      description: "GitHub, npm and Terraform registries, AWS APIs and the cluster endpoint over HTTPS",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: "0.0.0.0/0",
    });
    new VpcSecurityGroupIngressRule(this, "cluster-from-runner", {
      securityGroupId: props.clusterSecurityGroupId,
      description: "The Kubernetes API from the CI runner",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      referencedSecurityGroupId: this.securityGroup.id,
    });

    // The confused-deputy guard CodeBuild documents for service roles: this account's project only.
    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: [servicePrincipal("codebuild")] }],
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] },
            { test: "ArnEquals", variable: "aws:SourceArn", values: [projectArn] },
          ],
        },
      ],
    });
    this.role = new IamRole(this, "role", { name: naming.name("iam-role", RUNNER_NAME), description: "CodeBuild service role of the CI runner: logs, VPC network interfaces, the GitHub connection; nothing else", assumeRolePolicy: trust.json });
    const subnetArns = props.subnetIds.map((subnet) => `arn:${partition}:ec2:${account.region}:${account.accountId}:subnet/${subnet}`);
    // CodeBuild user guide, "Allow CodeBuild to access AWS services required to create a VPC network interface".
    const permissions = new DataAwsIamPolicyDocument(this, "permissions", {
      statement: [
        { sid: "WriteOwnLogs", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [logGroup.arn, `${logGroup.arn}:*`] },
        {
          sid: "DescribeNetwork",
          actions: ["ec2:CreateNetworkInterface", "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs"],
          // These EC2 actions take no resource-level scope CodeBuild can use (its documented policy grants "*"):
          // bounded to this region.
          resources: ["*"],
          condition: [{ test: "StringEquals", variable: "aws:RequestedRegion", values: [account.region] }],
        },
        {
          sid: "NetworkInterfacesInPrivateSubnets",
          actions: ["ec2:CreateNetworkInterfacePermission"],
          resources: [`arn:${partition}:ec2:${account.region}:${account.accountId}:network-interface/*`],
          condition: [
            { test: "StringEquals", variable: "ec2:AuthorizedService", values: [servicePrincipal("codebuild")] },
            { test: "ArnEquals", variable: "ec2:Subnet", values: subnetArns },
          ],
        },
        { sid: "UseGithubConnection", actions: ["codestar-connections:GetConnectionToken", "codestar-connections:GetConnection", "codeconnections:GetConnectionToken", "codeconnections:GetConnection", "codeconnections:UseConnection", "codestar-connections:UseConnection"], resources: [connection.arn] },
      ],
    });
    const policy = new IamRolePolicy(this, "policy", { name: "ci-runner", role: this.role.id, policy: permissions.json });

    this.project = new CodebuildProject(this, "project", {
      name: this.projectName,
      description: "CodeBuild-hosted GitHub Actions runner in the private subnets: plans and applies the stacks that reach the cluster",
      serviceRole: this.role.arn,
      buildTimeout: RUNNER_BUILD_TIMEOUT_MINUTES,
      queuedTimeout: RUNNER_QUEUED_TIMEOUT_MINUTES,
      source: {
        type: "GITHUB",
        location: `https://github.com/${props.repository.owner}/${props.repository.repository}.git`,
        auth: { type: "CODECONNECTIONS", resource: connection.arn },
      },
      artifacts: { type: "NO_ARTIFACTS" },
      environment: { computeType: props.computeType, image: RUNNER_IMAGE, type: RUNNER_ENVIRONMENT_TYPE, imagePullCredentialsType: "CODEBUILD" },
      vpcConfig: { vpcId: props.vpcId, subnets: [...props.subnetIds], securityGroupIds: [this.securityGroup.id] },
      logsConfig: { cloudwatchLogs: { groupName: logGroup.name, status: "ENABLED" }, s3Logs: { status: "DISABLED" } },
      dependsOn: [policy],
    });
    new CodebuildWebhook(this, "webhook", {
      projectName: this.project.name,
      buildType: "BUILD",
      filterGroup: [{ filter: [{ type: "EVENT", pattern: RUNNER_WEBHOOK_EVENT }] }],
    });
  }
}
