/**
 * Every IAM role a stack creates carries the account's permissions boundary (constructs/permissions-boundary): the
 * aspect sets it on each role that does not name one, so a role added by any construct later is bounded too. The
 * policy pack's IAM-PERMISSIONS-BOUNDARY rule fails a role without one, and the deploy role cannot create a role
 * without it (its policy requires `iam:PermissionsBoundary` on CreateRole).
 */
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { Aspects, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";

export class PermissionsBoundaryAspect implements IAspect {
  constructor(private readonly boundaryArn: string) {}

  visit(node: IConstruct): void {
    if (node instanceof IamRole && node.permissionsBoundaryInput === undefined) node.permissionsBoundary = this.boundaryArn;
  }
}

/** Bounds every role of `scope` (a stack) with `boundaryArn`. */
export function boundEveryRole(scope: IConstruct, boundaryArn: string): void {
  Aspects.of(scope).add(new PermissionsBoundaryAspect(boundaryArn));
}
