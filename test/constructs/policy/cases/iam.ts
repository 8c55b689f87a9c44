import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { Construct } from "constructs";
import type { RuleCase } from "./support";

const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE0123456789";

/** A role whose trust policy is the given statement (through a policy-document data source). */
function roleTrusting(scope: Construct, statement: DataAwsIamPolicyDocumentStatement): IamRole {
  const trust = new DataAwsIamPolicyDocument(scope, "trust", { statement: [statement] });
  return new IamRole(scope, "role", { name: "acme-prod-app", assumeRolePolicy: trust.json });
}

function irsaTrust(scope: Construct, conditions: DataAwsIamPolicyDocumentStatement["condition"]): IamRole {
  const provider = new IamOpenidConnectProvider(scope, "oidc", { url: `https://${ISSUER}`, clientIdList: ["sts.amazonaws.com"] });
  return roleTrusting(scope, {
    actions: ["sts:AssumeRoleWithWebIdentity"],
    principals: [{ type: "Federated", identifiers: [provider.arn] }],
    condition: conditions,
  });
}

function podIdentityTrust(scope: Construct, scoped: boolean): IamRole {
  return roleTrusting(scope, {
    actions: ["sts:AssumeRole", "sts:TagSession"],
    principals: [{ type: "Service", identifiers: ["pods.eks.amazonaws.com"] }],
    condition: scoped
      ? [
          { test: "StringEquals", variable: "aws:RequestTag/kubernetes-namespace", values: ["shop"] },
          { test: "StringEquals", variable: "aws:RequestTag/kubernetes-service-account", values: ["api"] },
        ]
      : [],
  });
}

const GITHUB = "token.actions.githubusercontent.com";
const REPO = "repo:example-org/platform-iac";
const WORKFLOWS = "example-org/platform-iac/.github/workflows";
const DEPLOY_SUBJECT = `${REPO}:environment:production:job_workflow_ref:${WORKFLOWS}/deploy.yml@refs/heads/main`;

/** A role trusted by GitHub Actions' OIDC provider for `subjects` (StringEquals, or StringLike when `like`), with `policyArn` attached. */
function githubRole(scope: Construct, subjects: string[], policyArn: string, like = false): IamRole {
  const provider = new IamOpenidConnectProvider(scope, "github", { url: `https://${GITHUB}`, clientIdList: ["sts.amazonaws.com"] });
  const role = roleTrusting(scope, {
    actions: ["sts:AssumeRoleWithWebIdentity"],
    principals: [{ type: "Federated", identifiers: [provider.arn] }],
    condition: [
      { test: "StringEquals", variable: `${GITHUB}:aud`, values: ["sts.amazonaws.com"] },
      { test: like ? "StringLike" : "StringEquals", variable: `${GITHUB}:sub`, values: subjects },
    ],
  });
  new IamRolePolicyAttachment(scope, "attached", { role: role.name, policyArn });
  return role;
}

/** A role with an inline identity policy holding one statement. */
function permissions(scope: Construct, statement: DataAwsIamPolicyDocumentStatement): void {
  const role = roleTrusting(scope, { actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }] });
  const document = new DataAwsIamPolicyDocument(scope, "permissions", { statement: [statement] });
  new IamRolePolicy(scope, "policy", { role: role.id, policy: document.json });
}

export const IAM_CASES: readonly RuleCase[] = [
  {
    rule: "IRSA-TRUST-SCOPED",
    compliant: (s) =>
      irsaTrust(s, [
        { test: "StringEquals", variable: `${ISSUER}:sub`, values: ["system:serviceaccount:shop:api"] },
        { test: "StringEquals", variable: `${ISSUER}:aud`, values: ["sts.amazonaws.com"] },
      ]),
    violating: (s) => irsaTrust(s, [{ test: "StringLike", variable: `${ISSUER}:sub`, values: ["system:serviceaccount:*"] }]),
    expect: [/no exact StringEquals condition on the token subject/, /does not require the audience/],
  },
  {
    rule: "IRSA-TRUST-SCOPED",
    name: "Pod Identity",
    compliant: (s) => podIdentityTrust(s, true),
    violating: (s) => podIdentityTrust(s, false),
    expect: /Pod Identity trust has no StringEquals condition on kubernetes-namespace/,
  },
  {
    rule: "IRSA-TRUST-SCOPED",
    name: "GitHub pull requests: a wildcard only for the pull request number",
    compliant: (s) => githubRole(s, [`${REPO}:pull_request:job_workflow_ref:${WORKFLOWS}/pull-request.yml@refs/pull/*/merge`], "arn:aws:iam::aws:policy/ReadOnlyAccess", true),
    violating: (s) => githubRole(s, [`${REPO}:*`], "arn:aws:iam::aws:policy/ReadOnlyAccess", true),
    expect: /no exact StringEquals condition on the token subject/,
  },
  {
    rule: "IAM-PERMISSIONS-BOUNDARY",
    compliant: (s) => {
      const role = roleTrusting(s, { actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }] });
      role.permissionsBoundary = "arn:aws:iam::123456789012:policy/acme-platform-boundary";
    },
    violating: (s) => roleTrusting(s, { actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }] }),
    expect: /the role has no permissions_boundary/,
  },
  {
    rule: "GITHUB-OIDC-DEPLOY-TRUST",
    compliant: (s) => githubRole(s, [DEPLOY_SUBJECT], "arn:aws:iam::aws:policy/PowerUserAccess"),
    violating: (s) => githubRole(s, [DEPLOY_SUBJECT, `${REPO}:environment:staging:job_workflow_ref:${WORKFLOWS}/deploy.yml@refs/heads/main`, `${REPO}:pull_request`], "arn:aws:iam::aws:policy/PowerUserAccess"),
    expect: [/trusts 3 GitHub subjects/, /trusts pull requests/, /names no GitHub environment/],
  },
  {
    rule: "GITHUB-OIDC-DEPLOY-TRUST",
    name: "a read-only plan role may trust pull requests; a writing one may not",
    compliant: (s) => githubRole(s, [`${REPO}:pull_request:job_workflow_ref:${WORKFLOWS}/pull-request.yml@refs/pull/*/merge`], "arn:aws:iam::aws:policy/ReadOnlyAccess", true),
    violating: (s) => githubRole(s, [`${REPO}:pull_request:job_workflow_ref:${WORKFLOWS}/pull-request.yml@refs/pull/*/merge`], "arn:aws:iam::aws:policy/AmazonS3FullAccess", true),
    expect: /trusts pull requests or a subject pattern/,
  },
  {
    rule: "IAM-NO-WILDCARD",
    compliant: (s) => permissions(s, { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-prod-uploads/*"] }),
    violating: (s) => permissions(s, { actions: ["*"], resources: ["*"] }),
    expect: /allows Action "\*"/,
  },
  {
    rule: "IAM-NO-WILDCARD",
    name: "Resource * without a condition",
    compliant: (s) => permissions(s, { actions: ["ec2:DescribeInstances", "ec2:DescribeSubnets"], resources: ["*"] }),
    violating: (s) => permissions(s, { actions: ["ec2:TerminateInstances"], resources: ["*"] }),
    expect: /allows ec2:TerminateInstances on Resource "\*" without a condition/,
  },
  {
    rule: "IAM-NO-WILDCARD",
    name: "AdministratorAccess and literal JSON policies",
    compliant: (s) => {
      const role = roleTrusting(s, { actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }] });
      new IamRolePolicyAttachment(s, "readonly", { role: role.name, policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" });
      new IamPolicy(s, "json", { policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "arn:aws:sqs:eu-west-1:123456789012:jobs" }] }) });
    },
    violating: (s) => {
      const role = roleTrusting(s, { actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }] });
      new IamRolePolicyAttachment(s, "admin", { role: role.name, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" });
      new IamPolicy(s, "json", { policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }] }) });
    },
    expect: [/attaches AdministratorAccess/, /NotAction/],
  },
  {
    rule: "IAM-NO-PUBLIC-ASSUME",
    compliant: (s) =>
      roleTrusting(s, {
        actions: ["sts:AssumeRole"],
        principals: [{ type: "AWS", identifiers: ["*"] }],
        condition: [{ test: "StringEquals", variable: "aws:PrincipalOrgID", values: ["o-exampleorg"] }],
      }),
    violating: (s) => roleTrusting(s, { actions: ["sts:AssumeRole"], principals: [{ type: "AWS", identifiers: ["*"] }] }),
    expect: /the trust policy allows principal "\*"/,
  },
];
