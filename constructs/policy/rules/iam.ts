/**
 * IAM rules: wildcard permissions, public trust, and the scope of web-identity / Pod Identity trust.
 */
import { type Block, literal, type PolicyCondition, type PolicyStatement, type StackModel, strings } from "../model";
import { GITHUB_OIDC_HOST } from "../../core/github-oidc";
import type { Rule, Violation } from "../types";

export const ADMINISTRATOR_POLICY = /:policy\/AdministratorAccess$/;
export const STS_AUDIENCE = "sts.amazonaws.com";
export const POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com";
/** Condition keys that restrict a `*` principal to known principals. */
const PRINCIPAL_SCOPING_KEYS = ["aws:principalaccount", "aws:principalorgid", "aws:principalarn", "aws:sourceaccount", "kms:calleraccount"];
/**
 * Read-only metadata actions, most of which have no resource-level permissions (`Resource: "*"` is the only form
 * AWS accepts): any service's Describe* / List* (except S3, whose listings are data), and Get* of services that
 * return configuration, not data.
 */
const METADATA_READ = /^(?!s3:)[a-z0-9-]+:(Describe|List)[A-Za-z0-9*]*$|^(ec2|elasticloadbalancing|autoscaling|pricing|wafv2|waf-regional|shield|acm|iam|cloudwatch|eks|tag):Get[A-Za-z0-9*]*$/;
const EXACT_TESTS = ["StringEquals", "ForAllValues:StringEquals", "ForAnyValue:StringEquals", "StringEqualsIgnoreCase"];

function allows(statement: PolicyStatement): boolean {
  return statement.effect === "Allow";
}

function wildcardPrincipal(statement: PolicyStatement): boolean {
  return statement.principals.some((principal) => principal.type === "*" || (principal.type === "AWS" && principal.identifiers.includes("*")));
}

function principalScoped(conditions: readonly PolicyCondition[]): boolean {
  return conditions.some((condition) => PRINCIPAL_SCOPING_KEYS.includes(condition.variable.toLowerCase()));
}

function exactCondition(conditions: readonly PolicyCondition[], suffix: string): PolicyCondition | undefined {
  return conditions.find(
    (condition) => EXACT_TESTS.includes(condition.test) && condition.variable.endsWith(suffix) && condition.values.length > 0 && condition.values.every((value) => !value.includes("*") && !value.includes("?")),
  );
}

function where(source: Block, owner: Block): string {
  return source === owner ? "" : ` (policy document ${source.path})`;
}

/** Whether a Federated principal is an EKS cluster OIDC provider (IRSA). */
function isEksOidc(model: StackModel, identifier: string): boolean {
  if (identifier.includes("oidc.eks.")) return true;
  return model.refsIn(identifier).some(
    (block) => block.type === "aws_eks_cluster" || (block.type === "aws_iam_openid_connect_provider" && model.refsIn(block.body.url).some((ref) => ref.type === "aws_eks_cluster")) || (block.type === "aws_iam_openid_connect_provider" && (literal(block.body.url) ?? "").includes("oidc.eks.")),
  );
}

/** Whether a Federated principal is GitHub Actions' OIDC provider. */
export function isGithubOidc(model: StackModel, identifier: string): boolean {
  if (identifier.includes(GITHUB_OIDC_HOST)) return true;
  return model.refsIn(identifier).some((block) => block.type === "aws_iam_openid_connect_provider" && (literal(block.body.url) ?? "").includes(GITHUB_OIDC_HOST));
}

/**
 * A GitHub subject pattern whose only wildcard is a pull request's number, in a subject customized with
 * `job_workflow_ref` (constructs/core/github-oidc.ts): `repo:<o>/<r>:pull_request:job_workflow_ref:<o>/<r>/...@refs/pull/*\/merge`.
 * The repository, the context and the workflow file are fixed; a pull request's number cannot be listed in advance.
 */
const GITHUB_PULL_REQUEST_PATTERN = /^repo:[^*?:]+:pull_request:job_workflow_ref:[^*?]+@refs\/pull\/\*\/merge$/;

function githubPullRequestSubject(conditions: readonly PolicyCondition[]): PolicyCondition | undefined {
  return conditions.find(
    (condition) => condition.test === "StringLike" && condition.variable.endsWith(":sub") && condition.values.length > 0 && condition.values.every((value) => GITHUB_PULL_REQUEST_PATTERN.test(value)),
  );
}

function trustScopeProblems(model: StackModel, statement: PolicyStatement): string[] {
  const out: string[] = [];
  const federated = statement.principals.filter((principal) => principal.type === "Federated").flatMap((principal) => principal.identifiers);
  if (federated.length > 0 && statement.actions.some((action) => action === "sts:AssumeRoleWithWebIdentity" || action === "sts:*")) {
    const github = federated.every((identifier) => isGithubOidc(model, identifier));
    const subject = exactCondition(statement.conditions, ":sub") ?? (github ? githubPullRequestSubject(statement.conditions) : undefined);
    const audience = exactCondition(statement.conditions, ":aud");
    if (!subject) out.push("web-identity trust has no exact StringEquals condition on the token subject (:sub); any workload of the issuer may assume it");
    if (!audience || !audience.values.every((value) => value === STS_AUDIENCE)) out.push(`web-identity trust does not require the audience (:aud) ${STS_AUDIENCE}`);
    if (subject && federated.some((identifier) => isEksOidc(model, identifier)) && !subject.values.every((value) => /^system:serviceaccount:[^:]+:[^:]+$/.test(value))) {
      out.push(`EKS OIDC trust subject ${JSON.stringify(subject.values)} is not system:serviceaccount:<namespace>:<name>`);
    }
  }
  const podIdentity = statement.principals.some((principal) => principal.type === "Service" && principal.identifiers.includes(POD_IDENTITY_PRINCIPAL));
  if (podIdentity) {
    for (const tag of ["kubernetes-namespace", "kubernetes-service-account"]) {
      const scoped = statement.conditions.some(
        (condition) => EXACT_TESTS.includes(condition.test) && (condition.variable === `aws:RequestTag/${tag}` || condition.variable === `aws:PrincipalTag/${tag}`),
      );
      if (!scoped) out.push(`Pod Identity trust has no StringEquals condition on ${tag}: every pod of every cluster in the account may assume it`);
    }
  }
  return out;
}

/** Managed policies that only read (a role with nothing else is a plan role). */
const READ_ONLY_POLICIES = /:policy\/(ReadOnlyAccess|ViewOnlyAccess|SecurityAudit)$/;

/** The `sub` values (exact and patterns) a role's trust grants GitHub Actions tokens, when it trusts GitHub's provider. */
function githubSubjects(model: StackModel, role: Block): string[] | undefined {
  const use = model.policyUses().find((item) => item.owner === role && item.use === "trust");
  if (!use) return undefined;
  const statements = use.statements.filter(
    (statement) => allows(statement) && statement.principals.some((principal) => principal.type === "Federated" && principal.identifiers.some((identifier) => isGithubOidc(model, identifier))),
  );
  if (statements.length === 0) return undefined;
  return statements.flatMap((statement) => statement.conditions.filter((condition) => condition.variable.endsWith(":sub")).flatMap((condition) => condition.values));
}

/** Whether a role may change anything: it attaches a policy other than a read-only one, or has an inline allow of a non-read action. */
function canWrite(model: StackModel, role: Block): boolean {
  const attachments = model.resources("aws_iam_role_policy_attachment").filter((attachment) => model.refersTo(attachment.body.role, role));
  if (attachments.some((attachment) => !READ_ONLY_POLICIES.test(String(attachment.body.policy_arn)))) return true;
  if (strings(role.body.managed_policy_arns).some((arn) => !READ_ONLY_POLICIES.test(arn))) return true;
  const inline = model.policyUses().filter((use) => use.use === "identity" && (use.owner === role || (use.owner.type === "aws_iam_role_policy" && model.refersTo(use.owner.body.role, role))));
  // Lock files and the like are writes too, but a plan role's only writes are Terraform's lock files.
  return inline.some((use) => use.statements.some((statement) => allows(statement) && statement.actions.some((action) => !/^[a-z0-9-]+:(Get|List|Describe)[A-Za-z0-9*]*$/.test(action) && !/^s3:(PutObject|DeleteObject)$/.test(action) && !/^kms:(Decrypt|Encrypt|GenerateDataKey)$/.test(action))));
}

export const IAM_RULES: readonly Rule[] = [
  {
    id: "IAM-PERMISSIONS-BOUNDARY",
    title: "Every role the platform creates carries a permissions boundary",
    severity: "high",
    scope: "all",
    upstream: "custom",
    fix: "Set permissions_boundary on the role: stacks CI applies bound every role with the account's boundary (BaseStack permissionsBoundaryArn, constructs/core/boundary-aspect.ts); the account stack with the boundary it creates.",
    check: ({ model }) =>
      model
        .resources("aws_iam_role")
        .filter((role) => typeof role.body.permissions_boundary !== "string" || role.body.permissions_boundary === "")
        .map((role): Violation => ({ block: role, message: "the role has no permissions_boundary: its policies are its only limit, and a role that can manage IAM could escalate through it" })),
  },
  {
    id: "GITHUB-OIDC-DEPLOY-TRUST",
    title: "A CI role that can change anything trusts one GitHub environment and one workflow, never pull requests",
    severity: "critical",
    scope: "all",
    upstream: "custom",
    fix: "Trust exactly one subject: repo:<owner>/<repo>:environment:<github environment>:job_workflow_ref:<owner>/<repo>/.github/workflows/<deploy workflow>@refs/heads/<deploy branch> (constructs/core/github-oidc.ts deploySubject); pull requests get the read-only plan role.",
    check: ({ model }) =>
      model.resources("aws_iam_role").flatMap((role): Violation[] => {
        const subjects = githubSubjects(model, role);
        if (subjects === undefined || !canWrite(model, role)) return [];
        const problems: string[] = [];
        if (subjects.length !== 1) problems.push(`trusts ${subjects.length} GitHub subjects (${subjects.join(", ") || "none"}): a role that can change resources trusts exactly one`);
        if (subjects.some((subject) => subject.includes(":pull_request") || subject.includes("*") || subject.includes("?"))) problems.push("trusts pull requests or a subject pattern: code from a branch could change resources");
        if (subjects.some((subject) => !/:environment:[^:*?]+:/.test(subject) || !subject.includes(":job_workflow_ref:"))) problems.push("a subject names no GitHub environment (whose protection rules hold the approvals) or no job_workflow_ref (the deploy workflow)");
        return problems.map((message) => ({ block: role, message }));
      }),
  },
  {
    id: "IRSA-TRUST-SCOPED",
    title: "Workload role trust is scoped to one service account",
    severity: "high",
    scope: "all",
    upstream: "custom",
    fix: "OIDC trust: StringEquals on <issuer>:sub = system:serviceaccount:<ns>:<sa> and <issuer>:aud = sts.amazonaws.com. Pod Identity trust: StringEquals on aws:RequestTag/kubernetes-namespace and kubernetes-service-account (use the WorkloadIdentity construct).",
    check: ({ model }) =>
      model
        .policyUses()
        .filter((use) => use.use === "trust")
        .flatMap((use) =>
          use.statements.filter(allows).flatMap((statement) =>
            trustScopeProblems(model, statement).map((message): Violation => ({ block: use.owner, message: `${message}${where(use.source, use.owner)}` })),
          ),
        ),
  },
  {
    id: "IAM-NO-WILDCARD",
    title: "Identity policies name their actions and resources",
    severity: "high",
    scope: "all",
    upstream: "CKV_AWS_62/63/355/274/286-290; NAG IAM5",
    fix: "List explicit actions and resource ARNs. A Resource \"*\" that AWS requires (actions without resource-level permissions) needs a condition or a suppression with its reason; never attach AdministratorAccess.",
    check: ({ model }) => {
      const out: Violation[] = [];
      for (const use of model.policyUses().filter((item) => item.use === "identity")) {
        for (const statement of use.statements.filter(allows)) {
          const label = statement.sid ? `statement ${statement.sid}` : "a statement";
          if (statement.actions.some((action) => action === "*" || action === "*:*")) {
            out.push({ block: use.owner, message: `${label} allows Action "*"${where(use.source, use.owner)}` });
          } else if (statement.notActions.length > 0) {
            out.push({ block: use.owner, message: `${label} allows everything except ${statement.notActions.join(", ")} (NotAction)${where(use.source, use.owner)}` });
          } else if (
            statement.resources.includes("*") &&
            statement.conditions.length === 0 &&
            !statement.actions.every((action) => METADATA_READ.test(action))
          ) {
            out.push({
              block: use.owner,
              message: `${label} allows ${statement.actions.slice(0, 4).join(", ")}${statement.actions.length > 4 ? ", ..." : ""} on Resource "*" without a condition${where(use.source, use.owner)}`,
            });
          }
        }
      }
      const attachments = model.resources("aws_iam_role_policy_attachment", "aws_iam_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment");
      for (const attachment of attachments) {
        if (ADMINISTRATOR_POLICY.test(String(attachment.body.policy_arn))) out.push({ block: attachment, message: "attaches AdministratorAccess" });
      }
      for (const holder of model.resources("aws_iam_role", "aws_iam_role_policy_attachments_exclusive")) {
        const arns = [...strings(holder.body.managed_policy_arns), ...strings(holder.body.policy_arns)];
        if (arns.some((arn) => ADMINISTRATOR_POLICY.test(arn))) out.push({ block: holder, message: "attaches AdministratorAccess" });
      }
      return out;
    },
  },
  {
    id: "IAM-NO-PUBLIC-ASSUME",
    title: "No role may be assumed by any AWS principal",
    severity: "critical",
    scope: "all",
    upstream: "CKV_AWS_60",
    fix: "Name the trusted account, role or service; a \"*\" principal needs an aws:PrincipalAccount / aws:PrincipalOrgID / aws:PrincipalArn condition.",
    check: ({ model }) =>
      model
        .policyUses()
        .filter((use) => use.use === "trust")
        .flatMap((use) =>
          use.statements
            .filter((statement) => allows(statement) && wildcardPrincipal(statement) && !principalScoped(statement.conditions))
            .map((): Violation => ({ block: use.owner, message: `the trust policy allows principal "*"${where(use.source, use.owner)}` })),
        ),
  },
];

export { wildcardPrincipal, principalScoped };
