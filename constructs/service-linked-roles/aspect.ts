/**
 * Check (c) as construction: every resource of a stack that needs a service-linked role the account stack creates
 * (catalog.ts SERVICE_LINKED_ROLE_REQUIREMENTS: a type and a condition on its arguments) depends on a plan-time
 * lookup of that role in its own stack (RequireServiceLinkedRole). A plan against an account without the role fails
 * with a message naming the account stack to apply, before anything is created, instead of leaving a half-applied
 * stack. Generic: a resource added by any construct later is covered by its table entry.
 */
import { Aspects, TerraformResource, TerraformStack, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import { requirementsOf, SERVICE_LINKED_ROLE_REQUIREMENTS } from "./catalog";
import { RequireServiceLinkedRole } from ".";

const TYPES = new Set(SERVICE_LINKED_ROLE_REQUIREMENTS.map((requirement) => requirement.type));

/** The arguments of a resource as they will be synthesized (tokens unresolved; the table's conditions read structure). */
function argumentsOf(resource: TerraformResource): Record<string, unknown> {
  const json = resource.toTerraform() as { resource?: Record<string, Record<string, Record<string, unknown>>> };
  return Object.values(json.resource?.[resource.terraformResourceType] ?? {})[0] ?? {};
}

export class RequireServiceLinkedRolesAspect implements IAspect {
  private readonly lookups = new Map<string, RequireServiceLinkedRole>();

  /** `accountStack`: the `account-<name>` stack that creates the roles in this stack's account (for the message). */
  constructor(private readonly accountStack: string) {}

  visit(node: IConstruct): void {
    if (!(node instanceof TerraformResource) || !TYPES.has(node.terraformResourceType)) return;
    for (const requirement of requirementsOf(node.terraformResourceType, argumentsOf(node))) {
      const lookup = this.lookupFor(TerraformStack.of(node), requirement.service);
      // depends_on takes a plain address (`data.<type>.<name>`), not an interpolation.
      const address = `data.${lookup.lookup.terraformResourceType}.${lookup.lookup.friendlyUniqueId}`;
      if (!(node.dependsOn ?? []).includes(address)) node.dependsOn = [...(node.dependsOn ?? []), address];
    }
  }

  private lookupFor(stack: TerraformStack, service: string): RequireServiceLinkedRole {
    let lookup = this.lookups.get(service);
    if (!lookup) {
      lookup = new RequireServiceLinkedRole(stack, `service-linked-role-${service.replace(/\.amazonaws\.com$/, "").replaceAll(".", "-")}`, { service, accountStack: this.accountStack });
      this.lookups.set(service, lookup);
    }
    return lookup;
  }
}

/** Makes every resource of `stack` that needs an account-stack-created SLR wait for (and check) it. */
export function requireServiceLinkedRoles(stack: TerraformStack, accountStack: string): void {
  Aspects.of(stack).add(new RequireServiceLinkedRolesAspect(accountStack));
}
