/** Regressions of IAM (identity and trust policies), the CI identity and the account baseline. */
import { addResource, data, removeResources, resource, resourceKey, statements } from "./json";
import type { StackMutation } from "./types";

const INFRA = "prod-infra";
const PLATFORM = "prod-platform";
const ACCOUNT = "account-main";

/** The permissions document of a workload role in prod-platform (external-dns's: route53 on its zones). */
const WORKLOAD_PERMISSIONS = "addons_external-dns_identity_permissions";
const WORKLOAD_ROLE = "addons_external-dns_identity_role";
const WORKLOAD_TRUST = "addons_external-dns_identity_trust";

interface Condition {
  test: string;
  variable: string;
  values: string[];
}

/** The `sub` condition of the production deploy role's trust (the GitHub OIDC subject it admits). */
function deploySubject(json: Parameters<StackMutation["apply"]>[0]): Condition {
  const [statement] = statements(data(json, "aws_iam_policy_document", "ci_prod-deploy-trust"));
  const subject = ((statement?.condition ?? []) as Condition[]).find((condition) => condition.variable.endsWith(":sub"));
  if (!subject?.values[0]) throw new Error("the production deploy trust has no sub condition");
  return subject;
}

export const IDENTITY_MUTATIONS: readonly StackMutation[] = [
  {
    kind: "stack",
    id: "iam-wildcard-action",
    description: "a workload policy allows Action * on Resource *",
    stack: PLATFORM,
    expect: "IAM-NO-WILDCARD",
    apply: (json) => {
      statements(data(json, "aws_iam_policy_document", WORKLOAD_PERMISSIONS)).push({ sid: "Everything", actions: ["*"], resources: ["*"] });
    },
  },
  {
    kind: "stack",
    id: "iam-service-wildcard-on-star",
    description: "a workload policy allows s3:* on every bucket",
    stack: PLATFORM,
    expect: "IAM-NO-WILDCARD",
    apply: (json) => {
      statements(data(json, "aws_iam_policy_document", WORKLOAD_PERMISSIONS)).push({ sid: "AllS3", actions: ["s3:*"], resources: ["*"] });
    },
  },
  {
    kind: "stack",
    id: "iam-passrole-on-star",
    description: "a workload policy allows iam:PassRole on Resource *",
    stack: PLATFORM,
    expect: "IAM-NO-WILDCARD",
    apply: (json) => {
      statements(data(json, "aws_iam_policy_document", WORKLOAD_PERMISSIONS)).push({ sid: "PassAnyRole", actions: ["iam:PassRole"], resources: ["*"] });
    },
  },
  {
    kind: "stack",
    id: "iam-role-without-boundary",
    description: "a workload role loses its permissions boundary",
    stack: PLATFORM,
    expect: "IAM-PERMISSIONS-BOUNDARY",
    apply: (json) => {
      delete resource(json, "aws_iam_role", WORKLOAD_ROLE).permissions_boundary;
    },
  },
  {
    kind: "stack",
    id: "iam-privesc-without-boundary",
    description: "a role without a boundary may create policy versions and attach policies to roles (escalation)",
    stack: PLATFORM,
    expect: "IAM-PRIVESC-NO-BOUNDARY",
    apply: (json) => {
      delete resource(json, "aws_iam_role", WORKLOAD_ROLE).permissions_boundary;
      statements(data(json, "aws_iam_policy_document", WORKLOAD_PERMISSIONS)).push({
        sid: "Escalate",
        actions: ["iam:CreatePolicyVersion", "iam:AttachRolePolicy"],
        resources: ["arn:aws:iam::111111111111:policy/acme-prod-*", "arn:aws:iam::111111111111:role/acme-prod-*"],
      });
    },
  },
  {
    kind: "stack",
    id: "iam-admin-equivalent-managed-policy",
    description: "IAMFullAccess is attached to a workload role",
    stack: PLATFORM,
    expect: "IAM-ADMIN-EQUIVALENT",
    apply: (json) =>
      addResource(json, PLATFORM, "aws_iam_role_policy_attachment", "iam-full-access", {
        role: `\${aws_iam_role.${resourceKey(json, "aws_iam_role", WORKLOAD_ROLE)}.name}`,
        policy_arn: "arn:aws:iam::aws:policy/IAMFullAccess",
      }),
  },
  {
    kind: "stack",
    id: "iam-administrator-access",
    description: "AdministratorAccess is attached to a workload role",
    stack: PLATFORM,
    expect: "IAM-NO-WILDCARD",
    apply: (json) =>
      addResource(json, PLATFORM, "aws_iam_role_policy_attachment", "administrator-access", {
        role: `\${aws_iam_role.${resourceKey(json, "aws_iam_role", WORKLOAD_ROLE)}.name}`,
        policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess",
      }),
  },
  {
    kind: "stack",
    id: "iam-trust-anyone",
    description: "a role's trust policy admits AWS principal * without a condition",
    stack: PLATFORM,
    expect: "IAM-NO-PUBLIC-ASSUME",
    apply: (json) => {
      statements(data(json, "aws_iam_policy_document", WORKLOAD_TRUST)).push({ actions: ["sts:AssumeRole"], principals: [{ type: "AWS", identifiers: ["*"] }] });
    },
  },
  {
    kind: "stack",
    id: "iam-cross-account-trust-without-external-id",
    description: "a role trusts another account's root without an external id or organization condition",
    stack: PLATFORM,
    expect: "IAM-CROSS-ACCOUNT-TRUST",
    apply: (json) => {
      statements(data(json, "aws_iam_policy_document", WORKLOAD_TRUST)).push({ actions: ["sts:AssumeRole"], principals: [{ type: "AWS", identifiers: ["arn:aws:iam::999999999999:root"] }] });
    },
  },
  {
    kind: "stack",
    id: "iam-policy-unreadable",
    description: "a role policy is written with jsonencode instead of a policy document (the pack cannot read it)",
    stack: PLATFORM,
    expect: "IAM-DOCUMENT-UNREADABLE",
    apply: (json) => {
      resource(json, "aws_iam_role_policy", "addons_external-dns_identity_policy").policy = '${jsonencode({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":var.bucket_arn}]})}';
    },
  },
  {
    kind: "stack",
    id: "pod-identity-trust-any-service-account",
    description: "a workload role's Pod Identity trust drops its namespace and service-account conditions",
    stack: PLATFORM,
    expect: "IRSA-TRUST-SCOPED",
    apply: (json) => {
      for (const statement of statements(data(json, "aws_iam_policy_document", WORKLOAD_TRUST))) {
        const conditions = statement.condition as { variable: string }[] | undefined;
        if (conditions) statement.condition = conditions.filter((condition) => !condition.variable.startsWith("aws:RequestTag/kubernetes-"));
      }
    },
  },
  {
    kind: "stack",
    id: "ci-deploy-role-trusts-pull-requests",
    description: "the production deploy role also trusts pull requests",
    stack: ACCOUNT,
    expect: "GITHUB-OIDC-DEPLOY-TRUST",
    apply: (json) => {
      const subject = deploySubject(json);
      subject.values = [...subject.values, "repo:example-org/platform-iac:pull_request"];
    },
  },
  {
    kind: "stack",
    id: "ci-deploy-role-trusts-two-environments",
    description: "the production deploy role also trusts the staging GitHub environment",
    stack: ACCOUNT,
    expect: "GITHUB-OIDC-DEPLOY-TRUST",
    apply: (json) => {
      const subject = deploySubject(json);
      subject.values = [...subject.values, String(subject.values[0]).replace(":environment:production:", ":environment:staging:")];
    },
  },
  {
    kind: "stack",
    id: "ci-deploy-role-subject-wildcard",
    description: "the production deploy role trusts any ref of the repository (StringLike repo:org/repo:*)",
    stack: ACCOUNT,
    expect: "GITHUB-OIDC-DEPLOY-TRUST",
    apply: (json) => {
      const subject = deploySubject(json);
      subject.test = "StringLike";
      subject.values = ["repo:example-org/platform-iac:*"];
    },
  },
  {
    kind: "stack",
    id: "cloudtrail-removed",
    description: "the account's CloudTrail trail is removed",
    stack: ACCOUNT,
    expect: "ACCOUNT-DETECTIVE-CONTROLS",
    apply: (json) => removeResources(json, "aws_cloudtrail"),
  },
  {
    kind: "stack",
    id: "cloudtrail-validation-off",
    description: "log-file validation is switched off on the trail",
    stack: ACCOUNT,
    expect: "ACCOUNT-DETECTIVE-CONTROLS",
    apply: (json) => {
      resource(json, "aws_cloudtrail").enable_log_file_validation = false;
    },
  },
  {
    kind: "stack",
    id: "guardduty-removed",
    description: "the account's GuardDuty detector is removed",
    stack: ACCOUNT,
    expect: "ACCOUNT-DETECTIVE-CONTROLS",
    apply: (json) => {
      removeResources(json, "aws_guardduty_detector_feature");
      removeResources(json, "aws_guardduty_detector");
    },
  },
  {
    kind: "stack",
    id: "guardduty-runtime-monitoring-off",
    description: "GuardDuty runtime monitoring is disabled",
    stack: ACCOUNT,
    expect: "ACCOUNT-DETECTIVE-CONTROLS",
    apply: (json) => {
      resource(json, "aws_guardduty_detector_feature", (_, body) => body.name === "RUNTIME_MONITORING").status = "DISABLED";
    },
  },
  {
    kind: "stack",
    id: "config-recorder-stopped",
    description: "the AWS Config recorder is switched off",
    stack: ACCOUNT,
    expect: "ACCOUNT-DETECTIVE-CONTROLS",
    apply: (json) => {
      resource(json, "aws_config_configuration_recorder_status").is_enabled = false;
    },
  },
  {
    kind: "stack",
    id: "access-analyzer-removed",
    description: "IAM Access Analyzer is removed",
    stack: ACCOUNT,
    expect: "ACCOUNT-DETECTIVE-CONTROLS",
    apply: (json) => removeResources(json, "aws_accessanalyzer_analyzer"),
  },
  {
    kind: "stack",
    id: "account-baseline-stack-dropped",
    description: "the account baseline stack is no longer synthesized: production deploys into an account without detective controls",
    stack: INFRA,
    expect: "ACCOUNT-BASELINE-COVERAGE",
    withoutPeers: [ACCOUNT],
    apply: () => undefined,
  },
];
