/**
 * Check (c) over synthesized stacks: every resource that needs a service-linked role the account stack creates
 * (catalog.ts SERVICE_LINKED_ROLE_REQUIREMENTS) has it in its account — created by the account stack, or declared as
 * existing in project.yaml — AND depends, inside its own stack, on the role (a lookup of it, or the role itself), so
 * the apply waits for it and a plan against an account without it fails before creating anything. Pure: over the
 * synthesized JSON, for tests and the preflight.
 */
import { literal, strings, type Block, type StackModel } from "../policy/model";
import { requirementsOf, serviceLinkedRolePath } from "./catalog";

export interface StackInAccount {
  readonly model: StackModel;
  /** The account stack of the stack's account (undefined when the configuration has none: every requirement fails). */
  readonly accountStack?: StackModel;
  /** Service principals whose SLR the account declares as existing (not created by its account stack). */
  readonly existing: readonly string[];
}

export interface ServiceLinkedRoleProblem {
  readonly stack: string;
  readonly address: string;
  readonly service: string;
  readonly message: string;
}

/** Addresses a block depends on explicitly (`depends_on`). */
function dependsOn(block: Block): string[] {
  return strings(block.body.depends_on).map((value) => value.replace(/^\$\{(.*)\}$/, "$1"));
}

/** Whether `block` depends on a lookup of the service's SLR, or on the SLR itself, in its own stack. */
function waitsFor(model: StackModel, block: Block, service: string): boolean {
  return dependsOn(block).some((address) => {
    const target = model.byAddress(address);
    if (!target) return false;
    if (target.kind === "data" && target.type === "aws_iam_roles") return literal(target.body.path_prefix) === serviceLinkedRolePath(service);
    return target.kind === "resource" && target.type === "aws_iam_service_linked_role" && literal(target.body.aws_service_name) === service;
  });
}

function createdBy(accountStack: StackModel | undefined, service: string): boolean {
  return (accountStack?.resources("aws_iam_service_linked_role") ?? []).some((role) => literal(role.body.aws_service_name) === service);
}

export function serviceLinkedRoleProblems(stacks: readonly StackInAccount[]): ServiceLinkedRoleProblem[] {
  const out: ServiceLinkedRoleProblem[] = [];
  for (const { model, accountStack, existing } of stacks) {
    for (const block of model.all()) {
      if (block.kind !== "resource") continue;
      for (const requirement of requirementsOf(block.type, block.body)) {
        const problem = (message: string) => out.push({ stack: model.stackName, address: block.address, service: requirement.service, message: `${model.stackName} ${block.address} (${block.type} ${requirement.condition}) needs the service-linked role of ${requirement.service}: ${message}` });
        if (!createdBy(accountStack, requirement.service) && !existing.includes(requirement.service)) {
          problem(`its account stack ${accountStack?.stackName ?? "(none)"} does not create it and the account does not declare it existing (accounts.<name>.serviceLinkedRoles.existing)`);
        }
        if (!waitsFor(model, block, requirement.service)) {
          problem("it does not depend on a lookup of that role in its own stack, so a plan against an account without it would create the rest of the stack and fail half-way");
        }
      }
    }
  }
  return out;
}
