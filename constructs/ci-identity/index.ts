/**
 * The CI identity: GitHub Actions' OIDC provider and two roles it may assume, each trusted only for this
 * repository and only for the token subjects listed.
 *
 * - plan role (read-only): pull requests and the deploy branch run `cdktf diff` with it. AWS `ReadOnlyAccess`
 *   (Terraform refresh reads every resource type) plus reading state and writing only lock files.
 * - deploy role: jobs of the listed GitHub environments (which carry the approval gates) run `cdktf deploy`.
 *   `PowerUserAccess` plus IAM limited to roles, policies and instance profiles named with the project prefix;
 *   it can never modify the CI roles or the GitHub OIDC provider themselves.
 */
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { partitionOf, type AccountScope } from "../core/aws";
import { acceptPolicyFinding } from "../policy/exceptions";

export const GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com";
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const STS_AUDIENCE = "sts.amazonaws.com";
/** One hour is enough for `cdktf diff`. */
export const PLAN_SESSION_SECONDS = 3600;
/** Creating a cluster and its databases can take more than an hour. */
export const DEPLOY_SESSION_SECONDS = 7200;

export interface CiRoleNames {
  readonly plan: string;
  readonly deploy: string;
}

export interface CiIdentityProps {
  readonly account: AccountScope;
  /** `owner/repository` on GitHub. */
  readonly repository: string;
  readonly roleNames: CiRoleNames;
  /** Project prefix: the deploy role may manage IAM roles and policies whose names start with `<prefix>-`. */
  readonly iamNamePrefix: string;
  /** Branch whose pushes may plan (drift checks) with the plan role. */
  readonly deployBranch: string;
  /** GitHub environments whose jobs may assume the deploy role (one per platform environment). */
  readonly deployEnvironments: readonly string[];
  readonly stateBucketArn: string;
  readonly stateKeyArn: string;
}

export class CiIdentity extends Construct {
  readonly oidcProvider: IamOpenidConnectProvider;
  readonly planRole: IamRole;
  readonly deployRole: IamRole;

  constructor(scope: Construct, id: string, props: CiIdentityProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(props.repository)) {
      throw new Error(`CiIdentity: repository must be "owner/name", got "${props.repository}"`);
    }
    if (props.deployEnvironments.length === 0) {
      throw new Error("CiIdentity: at least one deploy environment is required");
    }
    const partition = partitionOf(props.account.region);
    const iam = (resource: string) => `arn:${partition}:iam::${props.account.accountId}:${resource}`;

    this.oidcProvider = new IamOpenidConnectProvider(this, "github-oidc", {
      url: GITHUB_OIDC_URL,
      clientIdList: [STS_AUDIENCE],
    });

    const trust = (documentId: string, subjects: string[]) =>
      new DataAwsIamPolicyDocument(this, documentId, {
        statement: [
          {
            actions: ["sts:AssumeRoleWithWebIdentity"],
            principals: [{ type: "Federated", identifiers: [this.oidcProvider.arn] }],
            condition: [
              { test: "StringEquals", variable: `${GITHUB_OIDC_HOST}:aud`, values: [STS_AUDIENCE] },
              { test: "StringEquals", variable: `${GITHUB_OIDC_HOST}:sub`, values: subjects },
            ],
          },
        ],
      });
    const repo = `repo:${props.repository}`;

    this.planRole = new IamRole(this, "plan-role", {
      name: props.roleNames.plan,
      description: "CI: read-only plans (cdktf diff) on pull requests",
      assumeRolePolicy: trust("plan-trust", [`${repo}:pull_request`, `${repo}:ref:refs/heads/${props.deployBranch}`]).json,
      maxSessionDuration: PLAN_SESSION_SECONDS,
    });
    new IamRolePolicyAttachment(this, "plan-readonly", {
      role: this.planRole.name,
      policyArn: `arn:${partition}:iam::aws:policy/ReadOnlyAccess`,
    });
    const planState = new DataAwsIamPolicyDocument(this, "plan-state-document", {
      statement: [
        { sid: "ListState", actions: ["s3:ListBucket"], resources: [props.stateBucketArn] },
        { sid: "ReadState", actions: ["s3:GetObject"], resources: [`${props.stateBucketArn}/*`] },
        { sid: "WriteLocksOnly", actions: ["s3:PutObject", "s3:DeleteObject"], resources: [`${props.stateBucketArn}/*.tflock`] },
        { sid: "UseStateKey", actions: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], resources: [props.stateKeyArn] },
      ],
    });
    new IamRolePolicy(this, "plan-state", { name: "terraform-state", role: this.planRole.id, policy: planState.json });

    this.deployRole = new IamRole(this, "deploy-role", {
      name: props.roleNames.deploy,
      description: "CI: deploys (cdktf deploy) from approved GitHub environments",
      assumeRolePolicy: trust(
        "deploy-trust",
        props.deployEnvironments.map((environment) => `${repo}:environment:${environment}`),
      ).json,
      maxSessionDuration: DEPLOY_SESSION_SECONDS,
    });
    new IamRolePolicyAttachment(this, "deploy-power-user", {
      role: this.deployRole.name,
      policyArn: `arn:${partition}:iam::aws:policy/PowerUserAccess`,
    });
    acceptPolicyFinding(
      this.deployRole,
      "IAM-ADMIN-EQUIVALENT",
      "The CI deploy role applies every service the platform's stacks use (cdktf deploy), so it needs PowerUserAccess; PowerUserAccess excludes IAM, Organizations and Account, IAM is granted separately and only on project-prefixed names, and only the deploy jobs of the listed GitHub environments (with their required reviewers) can assume the role.",
    );
    acceptPolicyFinding(
      this.deployRole,
      "IAM-PRIVESC-NO-BOUNDARY",
      "The CI deploy role creates and changes the platform's own roles and policies (iam:*Role*, iam:*Policy*, iam:PassRole on project-prefixed names) and cannot change the CI roles themselves (explicit Deny); requiring a permissions boundary on what it creates, and on itself, is the CI identity's part of issue 15 section 1.",
    );
    const prefix = props.iamNamePrefix;
    const deployIam = new DataAwsIamPolicyDocument(this, "deploy-iam-document", {
      statement: [
        {
          sid: "ManageProjectIam",
          actions: [
            "iam:AttachRolePolicy", "iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:CreateRole", "iam:DeletePolicy",
            "iam:DeletePolicyVersion", "iam:DeleteRole", "iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePolicy",
            "iam:TagPolicy", "iam:TagRole", "iam:UntagPolicy", "iam:UntagRole", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole",
            "iam:UpdateRoleDescription", "iam:PassRole", "iam:CreateInstanceProfile", "iam:DeleteInstanceProfile",
            "iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:TagInstanceProfile",
          ],
          resources: [iam(`role/${prefix}-*`), iam(`policy/${prefix}-*`), iam(`instance-profile/${prefix}-*`)],
        },
        {
          sid: "ManageClusterOidcProviders",
          actions: [
            "iam:CreateOpenIDConnectProvider", "iam:DeleteOpenIDConnectProvider", "iam:TagOpenIDConnectProvider",
            "iam:UpdateOpenIDConnectProviderThumbprint", "iam:AddClientIDToOpenIDConnectProvider",
          ],
          resources: [iam("oidc-provider/oidc.eks.*")],
        },
        {
          sid: "CreateServiceLinkedRoles",
          actions: ["iam:CreateServiceLinkedRole"],
          resources: [iam("role/aws-service-role/*")],
        },
        {
          sid: "ProtectCiIdentity",
          effect: "Deny",
          actions: ["iam:*"],
          resources: [iam(`role/${props.roleNames.plan}`), iam(`role/${props.roleNames.deploy}`), iam(`oidc-provider/${GITHUB_OIDC_HOST}`)],
        },
        { sid: "ListState", actions: ["s3:ListBucket"], resources: [props.stateBucketArn] },
        { sid: "WriteState", actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: [`${props.stateBucketArn}/*`] },
        { sid: "UseStateKey", actions: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], resources: [props.stateKeyArn] },
      ],
    });
    new IamRolePolicy(this, "deploy-iam", { name: "project-iam-and-state", role: this.deployRole.id, policy: deployIam.json });
  }
}
