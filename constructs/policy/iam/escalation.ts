/**
 * IAM privilege escalation: the action sets with which a principal can grant itself more than its policies say.
 *
 * The catalog is the published one of Rhino Security Labs, "AWS IAM Privilege Escalation – Methods and Mitigation"
 * (Spencer Gietzen, 2018: https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/, methods 1-21),
 * with the additions of Datadog's pathfinding.cloud catalog (https://pathfinding.cloud: ECS, CodeBuild, SageMaker and
 * EC2 launch-template paths, permissions-boundary removal, SSM command execution on instances with roles). Each method
 * names the actions it needs together; a principal holds a method when every action is allowed to it.
 *
 * What counts as "allowed" (pure evaluation over the documents, no simulation):
 * - an Allow statement matches the action (wildcards `*` / `?`, case-insensitive; a NotAction statement matches every
 *   action it does not list);
 * - on a broad resource: `*`, any pattern with a wildcard (it names resources the principal may create or that are
 *   not reviewed one by one), or the principal's own ARN (changing itself). A statement naming exact ARNs of other
 *   resources only (passing one named role, updating one named function) is a reviewed grant, not counted: the named
 *   role's own permissions are checked on that role;
 * - not neutralized by a condition that is the documented mitigation: `iam:PermissionsBoundary` on CreateRole /
 *   PutRolePolicy / AttachRolePolicy / PutRolePermissionsBoundary (the new or changed role stays inside a boundary),
 *   `iam:PolicyARN` on Attach*Policy when none of the listed policies is itself admin-equivalent, `iam:PassedToService`
 *   on PassRole (the role can only be passed to the listed services: methods passing it to another service do not
 *   hold);
 * - not removed by an unconditional Deny statement on `*` for the action.
 * Other conditions (tags, regions) are not counted as mitigations: the check errs towards reporting.
 */
import type { IamDocument, IamStatement } from "./documents";

export interface EscalationMethod {
  /** Short id, e.g. `CreatePolicyVersion`. */
  readonly id: string;
  /** What the holder can do with it. */
  readonly how: string;
  /** Every action of the method (all must be allowed). */
  readonly actions: readonly string[];
  /** The service principal a role must be passable to (methods with iam:PassRole). */
  readonly passTo?: string;
  /** Where the method is published. */
  readonly source: string;
}

const RHINO = "Rhino Security Labs";
const PATHFINDING = "pathfinding.cloud";

export const ESCALATION_METHODS: readonly EscalationMethod[] = [
  { id: "CreatePolicyVersion", how: "writes a new default version of a policy attached to it", actions: ["iam:CreatePolicyVersion"], source: `${RHINO} #1` },
  { id: "SetDefaultPolicyVersion", how: "switches a policy attached to it to a broader old version", actions: ["iam:SetDefaultPolicyVersion"], source: `${RHINO} #2` },
  { id: "PassRole+EC2", how: "launches an instance with a more privileged role and uses its credentials", actions: ["iam:PassRole", "ec2:RunInstances"], passTo: "ec2.amazonaws.com", source: `${RHINO} #3` },
  { id: "CreateAccessKey", how: "creates access keys for another user", actions: ["iam:CreateAccessKey"], source: `${RHINO} #4` },
  { id: "CreateLoginProfile", how: "sets a console password for another user", actions: ["iam:CreateLoginProfile"], source: `${RHINO} #5` },
  { id: "UpdateLoginProfile", how: "changes another user's console password", actions: ["iam:UpdateLoginProfile"], source: `${RHINO} #6` },
  { id: "AttachUserPolicy", how: "attaches any managed policy to a user", actions: ["iam:AttachUserPolicy"], source: `${RHINO} #7` },
  { id: "AttachGroupPolicy", how: "attaches any managed policy to a group", actions: ["iam:AttachGroupPolicy"], source: `${RHINO} #8` },
  { id: "AttachRolePolicy", how: "attaches any managed policy (AdministratorAccess) to a role", actions: ["iam:AttachRolePolicy"], source: `${RHINO} #9` },
  { id: "PutUserPolicy", how: "writes any inline policy into a user", actions: ["iam:PutUserPolicy"], source: `${RHINO} #10` },
  { id: "PutGroupPolicy", how: "writes any inline policy into a group", actions: ["iam:PutGroupPolicy"], source: `${RHINO} #11` },
  { id: "PutRolePolicy", how: "writes any inline policy into a role", actions: ["iam:PutRolePolicy"], source: `${RHINO} #12` },
  { id: "AddUserToGroup", how: "adds a user to a more privileged group", actions: ["iam:AddUserToGroup"], source: `${RHINO} #13` },
  { id: "UpdateAssumeRolePolicy", how: "makes another role trust it, then assumes that role", actions: ["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"], source: `${RHINO} #14` },
  { id: "PassRole+Lambda", how: "creates and invokes a function running as a more privileged role", actions: ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"], passTo: "lambda.amazonaws.com", source: `${RHINO} #15` },
  { id: "PassRole+LambdaEventSource", how: "creates a function with a more privileged role and triggers it from an event source", actions: ["iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping"], passTo: "lambda.amazonaws.com", source: `${RHINO} #16` },
  { id: "UpdateFunctionCode", how: "replaces the code of a function that runs as another role", actions: ["lambda:UpdateFunctionCode"], source: `${RHINO} #17` },
  { id: "PassRole+Glue", how: "creates a Glue development endpoint with a more privileged role", actions: ["iam:PassRole", "glue:CreateDevEndpoint"], passTo: "glue.amazonaws.com", source: `${RHINO} #18` },
  { id: "UpdateDevEndpoint", how: "adds its SSH key to a Glue endpoint that runs as another role", actions: ["glue:UpdateDevEndpoint"], source: `${RHINO} #19` },
  { id: "PassRole+CloudFormation", how: "creates a stack whose service role creates anything", actions: ["iam:PassRole", "cloudformation:CreateStack"], passTo: "cloudformation.amazonaws.com", source: `${RHINO} #20` },
  { id: "PassRole+DataPipeline", how: "runs a pipeline as a more privileged role", actions: ["iam:PassRole", "datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"], passTo: "datapipeline.amazonaws.com", source: `${RHINO} #21` },
  { id: "CreateRole+AttachRolePolicy", how: "creates a role it trusts and attaches any policy to it", actions: ["iam:CreateRole", "iam:AttachRolePolicy", "sts:AssumeRole"], source: PATHFINDING },
  { id: "PassRole+ECS", how: "runs a task with a more privileged task role", actions: ["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"], passTo: "ecs-tasks.amazonaws.com", source: PATHFINDING },
  { id: "PassRole+CodeBuild", how: "runs a build project as a more privileged role", actions: ["iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuild"], passTo: "codebuild.amazonaws.com", source: PATHFINDING },
  { id: "PassRole+SageMaker", how: "opens a notebook instance running as a more privileged role", actions: ["iam:PassRole", "sagemaker:CreateNotebookInstance", "sagemaker:CreatePresignedNotebookInstanceUrl"], passTo: "sagemaker.amazonaws.com", source: PATHFINDING },
  { id: "PassRole+LaunchTemplate", how: "points an auto scaling group at a launch template with a more privileged instance profile", actions: ["iam:PassRole", "ec2:CreateLaunchTemplateVersion", "autoscaling:UpdateAutoScalingGroup"], passTo: "ec2.amazonaws.com", source: PATHFINDING },
  { id: "SSMSendCommand", how: "runs commands on instances and uses their roles' credentials", actions: ["ssm:SendCommand"], source: PATHFINDING },
  { id: "DeleteRolePermissionsBoundary", how: "removes the permissions boundary of a role", actions: ["iam:DeleteRolePermissionsBoundary"], source: PATHFINDING },
  { id: "PutRolePermissionsBoundary", how: "replaces the permissions boundary of a role with a broader one", actions: ["iam:PutRolePermissionsBoundary"], source: PATHFINDING },
];

/** Condition keys that are the documented mitigation for an action (see the module comment). */
const MITIGATIONS: Readonly<Record<string, string>> = {
  "iam:createrole": "iam:permissionsboundary",
  "iam:putrolepolicy": "iam:permissionsboundary",
  "iam:attachrolepolicy": "iam:permissionsboundary",
  "iam:putrolepermissionsboundary": "iam:permissionsboundary",
};
const POLICY_ARN_ACTIONS = ["iam:attachrolepolicy", "iam:attachuserpolicy", "iam:attachgrouppolicy"];

function pattern(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
}

export function actionMatches(patterns: readonly string[], action: string): boolean {
  return patterns.some((item) => pattern(item).test(action));
}

function statementActions(statement: IamStatement, action: string): boolean {
  if (statement.Action) return actionMatches(statement.Action, action);
  if (statement.NotAction) return !actionMatches(statement.NotAction, action);
  return false;
}

function conditionValues(statement: IamStatement, key: string): string[] | undefined {
  for (const [operator, variables] of Object.entries(statement.Condition ?? {})) {
    if (/^(ForAnyValue:|ForAllValues:)?(StringEquals|StringLike|ArnEquals|ArnLike)(IfExists)?$/.test(operator) === false) continue;
    for (const [variable, values] of Object.entries(variables)) if (variable.toLowerCase() === key) return values;
  }
  return undefined;
}

export interface Principal {
  /** The principal's own ARN (a resource it may change is itself). */
  readonly arn?: string;
}

/** How an action is allowed: on which resources, and (PassRole) to which services. */
interface Grant {
  readonly broad: boolean;
  /** Services a role may be passed to; undefined: any. */
  readonly services?: readonly string[];
}

/**
 * Whether `action` is allowed on a broad resource by the documents (see the module comment), with the services a
 * role may be passed to for iam:PassRole. `adminEquivalent` tells whether an attachable policy ARN is admin-equivalent.
 */
export function grantOf(documents: readonly IamDocument[], action: string, principal: Principal, adminEquivalent: (arn: string) => boolean = () => true): Grant | undefined {
  const lower = action.toLowerCase();
  const statements = documents.flatMap((document) => document.Statement);
  const denied = statements.some(
    (statement) => statement.Effect === "Deny" && statementActions(statement, action) && (statement.Resource ?? []).includes("*") && statement.Condition === undefined,
  );
  if (denied) return undefined;
  let services: string[] | undefined = [];
  let any = false;
  for (const statement of statements) {
    if (statement.Effect !== "Allow" || !statementActions(statement, action)) continue;
    const resources = statement.Resource ?? (statement.NotResource ? ["*"] : []);
    const broad = resources.some((resource) => resource.includes("*") || resource.includes("?") || (principal.arn !== undefined && resource === principal.arn));
    if (!broad) continue;
    const mitigation = MITIGATIONS[lower];
    if (mitigation && conditionValues(statement, mitigation)) continue;
    if (POLICY_ARN_ACTIONS.includes(lower)) {
      const allowed = conditionValues(statement, "iam:policyarn");
      if (allowed && !allowed.some(adminEquivalent)) continue;
    }
    if (lower === "iam:passrole") {
      const passed = conditionValues(statement, "iam:passedtoservice");
      if (passed) {
        if (services !== undefined) services = [...services, ...passed];
      } else {
        services = undefined;
      }
    }
    any = true;
  }
  if (!any) return undefined;
  return lower === "iam:passrole" ? { broad: true, ...(services ? { services } : {}) } : { broad: true };
}

/** The escalation methods the documents give a principal. */
export function escalationMethods(documents: readonly IamDocument[], principal: Principal, adminEquivalent?: (arn: string) => boolean): EscalationMethod[] {
  return ESCALATION_METHODS.filter((method) =>
    method.actions.every((action) => {
      const grant = grantOf(documents, action, principal, adminEquivalent);
      if (!grant) return false;
      if (action.toLowerCase() === "iam:passrole" && method.passTo && grant.services) return grant.services.some((service) => pattern(service).test(method.passTo as string));
      return true;
    }),
  );
}

/**
 * Why a policy document, attached to a principal, makes it an administrator or lets it become one; undefined when it
 * does not: every action on every resource, every action but a few (NotAction) on every resource, or an escalation
 * method on its own.
 */
export function adminEquivalence(document: IamDocument): string | undefined {
  for (const statement of document.Statement) {
    if (statement.Effect !== "Allow" || statement.Condition !== undefined) continue;
    const everywhere = (statement.Resource ?? []).includes("*") || statement.NotResource !== undefined;
    if (!everywhere) continue;
    if ((statement.Action ?? []).some((action) => action === "*" || action === "*:*")) return "allows every action on every resource";
    if (statement.NotAction) return `allows every action except ${statement.NotAction.join(", ")} on every resource`;
  }
  const methods = escalationMethods([document], {});
  return methods.length > 0 ? `lets the holder escalate: ${methods.map((method) => `${method.id} (${method.how})`).join("; ")}` : undefined;
}
