/**
 * Service-linked roles, on both sides of the stage boundary:
 *
 * - `ServiceLinkedRoles` (account stack): creates the SLRs AWS does not create on first API use (catalog.ts,
 *   `createdBy: "account-stack"`) for the services the account's stacks need, except the ones the account declares
 *   as existing (AWS rejects a second one).
 * - `RequireServiceLinkedRole` (the stack of the resource that needs one): looks the SLR up by its path and fails the
 *   plan with a clear message when it is missing, and the resource depends on the lookup, so a plan against an
 *   account without it stops before anything is created instead of leaving a half-applied stack.
 */
import { DataAwsIamRoles } from "@cdktf/provider-aws/lib/data-aws-iam-roles";
import { IamServiceLinkedRole } from "@cdktf/provider-aws/lib/iam-service-linked-role";
import { Construct } from "constructs";
import { serviceLinkedRole, serviceLinkedRolePath } from "./catalog";

export interface ServiceLinkedRolesProps {
  /** Service principals whose SLR this account needs (catalog.ts `createdBy: "account-stack"`). */
  readonly services: readonly string[];
  /** Service principals whose SLR already exists in the account (not created). @default none */
  readonly existing?: readonly string[];
}

export class ServiceLinkedRoles extends Construct {
  /** The SLRs created here, by service principal. */
  readonly roles: ReadonlyMap<string, IamServiceLinkedRole>;

  constructor(scope: Construct, id: string, props: ServiceLinkedRolesProps) {
    super(scope, id);
    const existing = new Set(props.existing ?? []);
    const roles = new Map<string, IamServiceLinkedRole>();
    for (const service of [...new Set(props.services)].sort()) {
      const fact = serviceLinkedRole(service);
      if (fact.createdBy !== "account-stack") {
        throw new Error(`ServiceLinkedRoles: ${service} is created by the service on first use (${fact.source}); the account stack creates only the others`);
      }
      if (existing.has(service)) continue;
      roles.set(service, new IamServiceLinkedRole(this, service.replace(/\.amazonaws\.com$/, "").replaceAll(".", "-"), { awsServiceName: service, description: `Platform: ${fact.usedBy}` }));
    }
    this.roles = roles;
  }
}

export interface RequireServiceLinkedRoleProps {
  /** The service principal whose SLR must exist. */
  readonly service: string;
  /** The account stack that creates it (for the message). */
  readonly accountStack: string;
}

/** A plan-time check that an SLR exists; make the resource that needs it depend on `lookup`. */
export class RequireServiceLinkedRole extends Construct {
  readonly lookup: DataAwsIamRoles;

  constructor(scope: Construct, id: string, props: RequireServiceLinkedRoleProps) {
    super(scope, id);
    const fact = serviceLinkedRole(props.service);
    this.lookup = new DataAwsIamRoles(this, "lookup", {
      pathPrefix: serviceLinkedRolePath(props.service),
      nameRegex: `^${fact.roleName}$`,
      lifecycle: {
        postcondition: [
          {
            condition: "${length(self.names) == 1}",
            errorMessage: `The service-linked role ${fact.roleName} (${props.service}) does not exist in this account; ${fact.usedBy} cannot be created without it. An administrator applies ${props.accountStack} first (it creates the role), or, if the account has it under another setup, runs: aws iam create-service-linked-role --aws-service-name ${props.service}`,
          },
        ],
      },
    });
  }
}
