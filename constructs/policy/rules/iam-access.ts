/**
 * IAM rules over the IAM model of a stack (constructs/policy/iam: every document in the JSON form AWS evaluates, with
 * references resolved to ARNs): documents the pack cannot read (fail closed), privilege escalation without a
 * permissions boundary, admin-equivalent managed policies, cross-account trust, and resource policies open to anyone.
 */
import managedPolicies from "../iam/aws-managed-policies.json";
import classified from "../iam/aws-managed-admin-equivalent.json";
import { documentsOf, iamOf, type IamDocument, type IamStatement, normalizeIamDocument, type RoleModel, type StackIam } from "../iam/documents";
import { adminEquivalence, escalationMethods } from "../iam/escalation";
import { type Block, type PolicyCondition, type StackModel } from "../model";
import { coversWorld } from "../public-space";
import type { Rule, Violation } from "../types";

const AWS_MANAGED = /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/;

interface AwsManaged {
  /** Path and name after `policy/` (`service-role/AWSBackupServiceRolePolicyForBackup`). */
  readonly path: string;
  readonly name: string;
}

export function awsManagedPolicyOf(arn: string): AwsManaged | undefined {
  const match = AWS_MANAGED.exec(arn);
  if (!match) return undefined;
  const path = match[1] as string;
  return { path, name: path.split("/").pop() as string };
}

const KNOWN = new Set(classified.known);
const ADMIN_EQUIVALENT = classified.adminEquivalent as Readonly<Record<string, string>>;
const DOCUMENTS = managedPolicies.policies as Readonly<Record<string, { document: unknown }>>;

/** Why an AWS-managed policy is admin-equivalent (aws-managed-admin-equivalent.json), if it is. */
export function awsManagedAdminReason(arn: string): string | undefined {
  const managed = awsManagedPolicyOf(arn);
  return managed ? ADMIN_EQUIVALENT[managed.name] : undefined;
}

/** Whether a role's trust admits only AWS service principals (no account, role, user, federated identity or `*`). */
function serviceOnlyTrust(role: RoleModel): boolean {
  const statements = (role.trust?.document.Statement ?? []).filter((statement) => statement.Effect === "Allow");
  return statements.length > 0 && statements.every((statement) => statement.Principal !== undefined && statement.Principal !== "*" && Object.keys(statement.Principal).every((type) => type === "Service"));
}

/**
 * AWS's own policy for the service that alone assumes the role: an AWS-managed policy under `service-role/` attached
 * to a role whose trust admits only AWS service principals. AWS publishes those policies for exactly that use (the
 * AWS Backup role's policy runs SSM commands for application-consistent backups); no person or workload holds the
 * credentials, so they are not counted as escalation or admin-equivalence.
 */
function serviceRolePolicy(role: RoleModel, arn: string): boolean {
  return (awsManagedPolicyOf(arn)?.path.startsWith("service-role/") ?? false) && serviceOnlyTrust(role);
}

/** The identity documents of a role, and the attached policies whose documents the pack does not have. */
function identityDocuments(iam: StackIam, role: RoleModel): { documents: IamDocument[]; missing: string[] } {
  const documents = role.inline.map((inline) => inline.document);
  const missing: string[] = [];
  for (const arn of role.managedPolicyArns) {
    if (serviceRolePolicy(role, arn)) continue;
    const own = iam.managedPolicies.get(arn);
    const managed = awsManagedPolicyOf(arn);
    const document = own?.document ?? (managed && DOCUMENTS[managed.path] ? normalizeIamDocument(DOCUMENTS[managed.path]?.document) : undefined);
    if (document) documents.push(document);
    else missing.push(arn);
  }
  return { documents, missing };
}

function hasBoundary(model: StackModel, role: RoleModel): boolean {
  const block = model.byAddress(role.address);
  const boundary = block?.body.permissions_boundary;
  return typeof boundary === "string" && boundary.trim() !== "";
}

// ---------------------------------------------------------------------------------------------------------------
// Conditions that restrict who may use a grant to "*"

/**
 * Condition keys that restrict a statement granted to `*` to known principals or sources, when compared with fixed
 * values (S3 Block Public Access's definition of a non-public policy: a fixed principal, aws:SourceArn, SourceVpc,
 * SourceVpce, SourceOwner, SourceAccount, aws:userid; plus the organization and caller-account keys).
 */
const RESTRICTING_KEYS = [
  "aws:principalaccount",
  "aws:principalorgid",
  "aws:principalorgpaths",
  "aws:principalarn",
  "aws:sourceaccount",
  "aws:sourcearn",
  "aws:sourceowner",
  "aws:sourcevpc",
  "aws:sourcevpce",
  "aws:userid",
  "kms:calleraccount",
];
const POSITIVE_OPERATOR = /^(ForAnyValue:|ForAllValues:)?(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)(IfExists)?$/;

/**
 * Whether conditions restrict a grant to `*`: a restricting key compared with fixed values (not `*`), or
 * `aws:SourceIp` limited to addresses that do not cover the internet (public-space.ts: `0.0.0.0/1` + `128.0.0.0/1`
 * restricts nothing).
 */
export function restrictsPrincipals(conditions: readonly PolicyCondition[]): boolean {
  return conditions.some((condition) => {
    const key = condition.variable.toLowerCase();
    if (key === "aws:sourceip") return /^IpAddress(IfExists)?$/.test(condition.test) && condition.values.length > 0 && !coversWorld(condition.values);
    return RESTRICTING_KEYS.includes(key) && POSITIVE_OPERATOR.test(condition.test) && !condition.test.endsWith("IfExists") && condition.values.length > 0 && condition.values.every((value) => value.replace(/[*?]/g, "") !== "" && !/^[*?]+$/.test(value.split(":").pop() ?? ""));
  });
}

function conditionsOf(statement: IamStatement): PolicyCondition[] {
  return Object.entries(statement.Condition ?? {}).flatMap(([test, variables]) => Object.entries(variables).map(([variable, values]) => ({ test, variable, values })));
}

/** Whether a statement's principal is everyone: `*`, `{"AWS": "*"}`, or a NotPrincipal (everyone but a few). */
export function everyone(statement: IamStatement): boolean {
  if (statement.NotPrincipal !== undefined) return true;
  if (statement.Principal === "*") return true;
  return statement.Principal !== undefined && Object.values(statement.Principal).some((ids) => ids.includes("*"));
}

// ---------------------------------------------------------------------------------------------------------------

/** The account of an AWS principal identifier (account id, `arn:...:iam::<account>:...`), if it names one. */
function accountOf(identifier: string): string | undefined {
  if (/^\d{12}$/.test(identifier)) return identifier;
  return /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(identifier)?.[1];
}

const ASSUME_ACTIONS = /^sts:(AssumeRole|\*)$|^\*$/i;

export const IAM_ACCESS_RULES: readonly Rule[] = [
  {
    id: "IAM-DOCUMENT-UNREADABLE",
    title: "Every IAM document can be read and every reference in it resolved offline (fail closed)",
    severity: "critical",
    scope: "all",
    upstream: "custom (fail closed: what the pack cannot read, it cannot approve)",
    fix: "Write the policy as an aws_iam_policy_document data source (or literal JSON) whose values are literals or references to resources of the stack; give roles a literal name; attach policies to roles of the same stack. A value the IAM model cannot resolve (constructs/policy/iam/resolve.ts) needs a resolver for its attribute.",
    unknown: { decision: "finding", reason: "This rule is the finding for documents every other IAM rule would otherwise have to skip." },
    check: ({ model }) => {
      const out: Violation[] = model.unreadablePolicies().map(({ owner, attribute, problem }) => ({ block: owner, message: `${attribute} cannot be read offline: ${problem}` }));
      const reported = new Set(out.map((violation) => violation.block?.address));
      const iam = iamOf(model);
      if (!iam) {
        const holders = model.all().filter((block) => block.type.startsWith("aws_iam_") && block.kind === "resource");
        return holders.length > 0 ? [...out, { message: `the stack's default AWS provider pins no region or allowed_account_ids, so the ARNs in its ${holders.length} IAM resource(s) cannot be resolved` }] : out;
      }
      for (const entry of iam.unreadable) {
        if (reported.has(entry.address)) continue;
        out.push({ ...blockAt(model, entry.address), message: entry.reason });
      }
      for (const document of documentsOf(iam)) {
        const unresolved = [...new Set(document.unresolved)];
        if (unresolved.length === 0) continue;
        out.push({ ...blockAt(model, document.address), message: `${document.name} holds values that cannot be resolved offline: ${unresolved.slice(0, 3).join(", ")}${unresolved.length > 3 ? `, and ${unresolved.length - 3} more` : ""}` });
      }
      return out;
    },
  },
  {
    id: "IAM-PRIVESC-NO-BOUNDARY",
    title: "No role without a permissions boundary holds a privilege-escalation action set",
    severity: "high",
    scope: "all",
    upstream: "Rhino Security Labs AWS IAM privilege escalation methods 1-21; pathfinding.cloud; Cloudsplaining PrivilegeEscalation",
    fix: "Remove the actions, scope them to named resources, add the documented mitigation (iam:PermissionsBoundary on role changes, an iam:PolicyARN allow-list on attachments, iam:PassedToService on PassRole), or give the role a permissions boundary that forbids the escalation.",
    unknown: { decision: "finding", reason: "A role with an attached policy whose document the pack does not have (another stack's policy, an AWS-managed policy not converted) is reported; unresolved values are IAM-DOCUMENT-UNREADABLE findings." },
    check: ({ model }) => {
      const iam = iamOf(model);
      if (!iam) return [];
      return iam.roles.flatMap((role): Violation[] => {
        if (hasBoundary(model, role)) return [];
        const { documents, missing } = identityDocuments(iam, role);
        const block = blockAt(model, role.address);
        const out: Violation[] = missing.map((arn) => ({ ...block, message: `attaches ${arn}, whose document the pack does not have: its escalation cannot be judged (add it to scripts/convert-managed-policies.ts MANAGED_POLICIES, or create it in this stack)` }));
        const methods = escalationMethods(documents, { arn: role.arn }, (arn) => awsManagedAdminReason(arn) !== undefined || !KNOWN.has(awsManagedPolicyOf(arn)?.name ?? ""));
        if (methods.length > 0) {
          out.push({ ...block, message: `role ${role.name} has no permissions boundary and can escalate: ${methods.map((method) => `${method.actions.join(" + ")} (${method.how}; ${method.source})`).join("; ")}` });
        }
        return out;
      });
    },
  },
  {
    id: "IAM-ADMIN-EQUIVALENT",
    title: "No admin-equivalent managed policy is attached (AdministratorAccess, IAMFullAccess, PowerUserAccess and friends)",
    severity: "high",
    scope: "all",
    upstream: "CKV_AWS_274/275; Security Hub IAM.1; Cloudsplaining",
    fix: "Attach a policy that lists the actions the role needs. A deploy identity that must manage almost every service (the CI deploy role's PowerUserAccess) is accepted in code next to the role with the reason and the compensating controls (acceptPolicyFinding).",
    unknown: { decision: "finding", reason: "An attached AWS-managed policy the converted archive does not know, or a customer-managed policy of another stack, is reported: it may be anything." },
    check: ({ model }) => {
      const iam = iamOf(model);
      if (!iam) return [];
      const out: Violation[] = [];
      for (const role of iam.roles) {
        for (const arn of role.managedPolicyArns) {
          if (serviceRolePolicy(role, arn)) continue;
          const block = blockAt(model, role.address);
          const managed = awsManagedPolicyOf(arn);
          if (managed) {
            if (!KNOWN.has(managed.name)) out.push({ ...block, message: `attaches ${managed.path}, an AWS-managed policy the pack does not know (re-run scripts/convert-managed-policies.ts with a current archive)` });
            else if (ADMIN_EQUIVALENT[managed.name]) out.push({ ...block, message: `attaches ${managed.path}, which ${ADMIN_EQUIVALENT[managed.name]}` });
            continue;
          }
          const own = iam.managedPolicies.get(arn);
          if (!own) {
            out.push({ ...block, message: `attaches ${arn}, a policy of another stack or account the pack cannot read` });
            continue;
          }
          const reason = adminEquivalence(own.document);
          if (reason) out.push({ ...block, message: `attaches ${own.name} (${own.path}), which ${reason}` });
        }
      }
      return out;
    },
  },
  {
    id: "IAM-CROSS-ACCOUNT-TRUST",
    title: "Cross-account trust requires an external id or the organization",
    severity: "high",
    scope: "all",
    upstream: "AWS IAM User Guide (confused deputy: sts:ExternalId); Security Hub IAM.x; Access Analyzer external access",
    fix: "Add a condition StringEquals sts:ExternalId = <secret agreed with the third party>, or aws:PrincipalOrgID / aws:PrincipalOrgPaths = your organization, to each statement trusting another account.",
    unknown: { decision: "finding", reason: "A trusted principal that cannot be resolved is an IAM-DOCUMENT-UNREADABLE finding." },
    check: ({ model }) => {
      const iam = iamOf(model);
      if (!iam) return [];
      return iam.roles.flatMap((role): Violation[] =>
        (role.trust?.document.Statement ?? []).flatMap((statement): Violation[] => {
          if (statement.Effect !== "Allow" || statement.Principal === undefined || statement.Principal === "*") return [];
          if (!(statement.Action ?? []).some((action) => ASSUME_ACTIONS.test(action))) return [];
          const foreign = [...new Set((statement.Principal.AWS ?? []).map(accountOf).filter((account): account is string => account !== undefined && account !== iam.scope.accountId))];
          if (foreign.length === 0) return [];
          const conditions = conditionsOf(statement);
          const guarded = conditions.some((condition) => {
            const key = condition.variable.toLowerCase();
            return (key === "sts:externalid" || key === "aws:principalorgid" || key === "aws:principalorgpaths") && POSITIVE_OPERATOR.test(condition.test) && condition.values.length > 0 && condition.values.every((value) => value !== "*");
          });
          return guarded ? [] : [{ ...blockAt(model, role.address), message: `role ${role.name} trusts account(s) ${foreign.join(", ")} without an sts:ExternalId or aws:PrincipalOrgID / aws:PrincipalOrgPaths condition` }];
        }),
      );
    },
  },
  {
    id: "RESOURCE-POLICY-NO-PUBLIC",
    title: "Resource policies grant nothing to anyone (\"*\") without a restricting condition",
    severity: "critical",
    scope: "all",
    upstream: "CKV_AWS_70/93/168/283; Access Analyzer public access; S3 Block Public Access definition of public",
    fix: "Name the principals (account, role, service), or restrict \"*\" with fixed values of aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceAccount, aws:SourceArn, aws:SourceVpc(e), or an aws:SourceIp range that does not cover the internet.",
    unknown: { decision: "finding", reason: "Policies that cannot be read are IAM-DOCUMENT-UNREADABLE findings; conditions with values that are not fixed (\"*\" patterns, IfExists) do not count as restricting." },
    check: ({ model }) => {
      const iam = iamOf(model);
      if (!iam) return [];
      return iam.resourcePolicies
        .filter((policy) => policy.kind !== "key")
        .flatMap((policy) =>
          policy.document.Statement.filter((statement) => statement.Effect === "Allow" && everyone(statement) && !restrictsPrincipals(conditionsOf(statement))).map(
            (statement): Violation => ({
              ...blockAt(model, policy.address),
              message: `the ${policy.kind} policy ${statement.Sid ? `statement ${statement.Sid} ` : ""}allows ${(statement.Action ?? statement.NotAction ?? []).slice(0, 4).join(", ")} to ${statement.NotPrincipal ? "everyone but the NotPrincipal" : "\"*\""} without a restricting condition`,
            }),
          ),
        );
    },
  },
];

function blockAt(model: StackModel, address: string): { block?: Block } {
  const block = model.byAddress(address);
  return block ? { block } : {};
}
