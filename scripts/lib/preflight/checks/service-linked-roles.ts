/**
 * Service-linked roles (constructs/service-linked-roles/catalog.ts):
 * - every resource that needs an SLR the account stack creates (OpenSearch in a VPC, Karpenter spot capacity, the
 *   Config recorder) finds it in the account: iam:GetRole on its name. Missing: the plan's own lookup would stop the
 *   stack; the preflight says so before CI gets there, naming the account stack;
 * - every `aws_iam_service_linked_role` the stack creates and does not yet have in its state must not exist already:
 *   IAM rejects a second one ("Service role name ... has been taken in this account"); the account declares it
 *   under `accounts.<name>.serviceLinkedRoles.existing` instead.
 */
import { SERVICE_LINKED_ROLES, requirementsOf, serviceLinkedRole } from "../../../../constructs/service-linked-roles/catalog";
import { literal } from "../../../../constructs/policy/model";
import { errorCode } from "../aws";
import { collectStackState, inState, type StackState } from "../state";
import { defineCheck, problem, type PreflightProblem } from "../types";

export interface SlrRequirements {
  /** Service -> addresses of the resources that need its SLR. */
  readonly needed: ReadonlyMap<string, readonly string[]>;
  /** Service -> address of the `aws_iam_service_linked_role` the stack creates. */
  readonly created: ReadonlyMap<string, string>;
}

export interface SlrFacts {
  /** Role name -> whether it exists. */
  readonly exists: ReadonlyMap<string, boolean>;
  readonly state?: StackState;
}

export const serviceLinkedRolesCheck = defineCheck<SlrRequirements, SlrFacts>({
  id: "service-linked-roles",
  title: "service-linked roles",
  requirements(target) {
    const needed = new Map<string, string[]>();
    const created = new Map<string, string>();
    for (const block of target.model.all()) {
      if (block.kind !== "resource") continue;
      for (const requirement of requirementsOf(block.type, block.body)) needed.set(requirement.service, [...(needed.get(requirement.service) ?? []), block.address]);
      if (block.type === "aws_iam_service_linked_role") {
        const service = literal(block.body.aws_service_name);
        if (service && SERVICE_LINKED_ROLES.some((fact) => fact.service === service)) created.set(service, block.address);
      }
    }
    for (const service of created.keys()) needed.delete(service); // the stack creates what it needs
    return needed.size > 0 || created.size > 0 ? { needed, created } : undefined;
  },
  async collect(requirements, api, target) {
    const exists = new Map<string, boolean>();
    for (const service of new Set([...requirements.needed.keys(), ...requirements.created.keys()])) {
      const { roleName } = serviceLinkedRole(service);
      try {
        await api.call("iam:GetRole", target.entry.account.region, { RoleName: roleName });
        exists.set(roleName, true);
      } catch (error) {
        if (errorCode(error) !== "NoSuchEntityException" && errorCode(error) !== "NoSuchEntity") throw error;
        exists.set(roleName, false);
      }
    }
    return { exists, ...(requirements.created.size > 0 && target.state ? { state: await collectStackState(api, target.state) } : {}) };
  },
  evaluate(requirements, facts, target) {
    const problems: PreflightProblem[] = [];
    const verified: string[] = [];
    const account = target.entry.account.accountId;
    for (const [service, where] of requirements.needed) {
      const fact = serviceLinkedRole(service);
      if (facts.exists.get(fact.roleName)) {
        verified.push(`${fact.roleName} exists`);
        continue;
      }
      problems.push(
        problem(
          "error",
          `service-linked role ${fact.roleName}`,
          where,
          `does not exist in account ${account}; ${fact.usedBy} cannot be created without it`,
          `an administrator applies account-${target.entry.accountName} first (it creates it), or runs: aws iam create-service-linked-role --aws-service-name ${service}`,
        ),
      );
    }
    for (const [service, address] of requirements.created) {
      const fact = serviceLinkedRole(service);
      if (facts.exists.get(fact.roleName) && !inState(facts.state, address)) {
        problems.push(
          problem(
            "error",
            `service-linked role ${fact.roleName}`,
            [address],
            `exists in account ${account} already (not created by this stack): IAM rejects creating it again`,
            `declare it in project.yaml accounts.${target.entry.accountName}.serviceLinkedRoles.existing: [${service}] (the account stack then leaves it alone)`,
          ),
        );
      } else {
        verified.push(`${fact.roleName} ${facts.exists.get(fact.roleName) ? "exists (managed by this stack)" : "is created by this apply"}`);
      }
    }
    return { problems, verified };
  },
});
