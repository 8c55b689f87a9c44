/**
 * Access-entry principals: `CreateAccessEntry` rejects a principal that does not exist (EKS API reference), so every
 * role the stack's `aws_eks_access_entry` resources name must exist before the apply (`accessEntryPrincipals`,
 * constructs/policy/access-principals.ts):
 * - a role named by ARN: iam:GetRole by name, and its path must be the ARN's (EKS matches the full ARN);
 * - an IAM Identity Center permission set: exactly one role matching its name regex under its path prefix
 *   (iam:ListRoles with PathPrefix) — the `aws_iam_roles` lookup of the stack fails its postcondition otherwise.
 * Roles the stack creates itself need nothing; an expression the preflight cannot interpret is a warning, never a
 * silent pass.
 */
import type { Role } from "@aws-sdk/client-iam";
import { accessEntryPrincipals, type AccessPrincipal } from "../../../../constructs/policy/access-principals";
import { parseRoleArn } from "../../../../constructs/cluster/access-rules";
import { errorCode } from "../aws";
import { defineCheck, problem, type PreflightProblem } from "../types";

export type RoleFact = { readonly role: Pick<Role, "Arn" | "Path" | "RoleName"> } | { readonly missing: true } | { readonly otherAccount: string };

export interface PrincipalFacts {
  /** Role ARN -> GetRole's answer. */
  readonly roles: ReadonlyMap<string, RoleFact>;
  /** Path prefix -> every role under it (ListRoles, all pages). */
  readonly rolesUnderPath: ReadonlyMap<string, readonly Pick<Role, "Arn" | "Path" | "RoleName">[]>;
}

const SSO_FIX = (permissionSet: string, account: string) =>
  `assign the permission set ${permissionSet} to account ${account} in IAM Identity Center (to any user or group): Identity Center then provisions its role there. Or remove it from cluster.access`;

export const principalsCheck = defineCheck<AccessPrincipal[], PrincipalFacts>({
  id: "principals",
  title: "access-entry principals exist",
  requirements(target) {
    const principals = accessEntryPrincipals(target.model.json, target.stack);
    return principals.length > 0 ? principals : undefined;
  },
  async collect(principals, api, target) {
    const region = target.entry.account.region;
    const roles = new Map<string, RoleFact>();
    const rolesUnderPath = new Map<string, Pick<Role, "Arn" | "Path" | "RoleName">[]>();
    for (const principal of principals) {
      if (principal.kind === "role") {
        const parsed = parseRoleArn(principal.arn);
        if (!parsed) continue;
        if (parsed.accountId !== target.entry.account.accountId) {
          roles.set(principal.arn, { otherAccount: parsed.accountId });
          continue;
        }
        try {
          const { Role: role } = await api.call("iam:GetRole", region, { RoleName: parsed.name });
          roles.set(principal.arn, role ? { role: { Arn: role.Arn, Path: role.Path, RoleName: role.RoleName } } : { missing: true });
        } catch (error) {
          if (errorCode(error) !== "NoSuchEntityException" && errorCode(error) !== "NoSuchEntity") throw error;
          roles.set(principal.arn, { missing: true });
        }
      } else if (principal.kind === "permission-set" && !rolesUnderPath.has(principal.pathPrefix)) {
        const found: Pick<Role, "Arn" | "Path" | "RoleName">[] = [];
        let marker: string | undefined;
        do {
          const page = await api.call("iam:ListRoles", region, { PathPrefix: principal.pathPrefix, MaxItems: 1000, ...(marker ? { Marker: marker } : {}) });
          found.push(...(page.Roles ?? []).map((role) => ({ Arn: role.Arn, Path: role.Path, RoleName: role.RoleName })));
          marker = page.IsTruncated ? page.Marker : undefined;
        } while (marker);
        rolesUnderPath.set(principal.pathPrefix, found);
      }
    }
    return { roles, rolesUnderPath };
  },
  evaluate(principals, facts, target) {
    const account = target.entry.account.accountId;
    const problems: PreflightProblem[] = [];
    const verified: string[] = [];
    for (const principal of principals) {
      const where = principal.accessEntries;
      switch (principal.kind) {
        case "created":
          verified.push(`${principal.address} (created by this stack)`);
          break;
        case "expression":
          problems.push(problem("warning", `principal ${principal.expression}`, where, "an access entry's principal is an expression the preflight cannot resolve; it is not checked", "name roles by ARN or permission set in cluster.access"));
          break;
        case "role": {
          const fact = facts.roles.get(principal.arn);
          const parsed = parseRoleArn(principal.arn);
          if (!fact || !parsed) {
            problems.push(problem("error", `role ${principal.arn}`, where, "is not an IAM role ARN", "use arn:aws:iam::<account>:role/<path><name>"));
          } else if ("otherAccount" in fact) {
            problems.push(problem("warning", `role ${principal.arn}`, where, `is in account ${fact.otherAccount}, not ${account}: these credentials cannot check it`, `run the preflight with credentials of ${fact.otherAccount}, or make sure the role exists before the apply`));
          } else if ("missing" in fact) {
            const ci = /-ci-(plan|deploy)$/.test(parsed.name);
            problems.push(
              problem(
                "error",
                `role ${principal.arn}`,
                where,
                `does not exist in account ${account}: CreateAccessEntry rejects a principal that does not exist`,
                ci ? `an administrator applies account-${target.entry.accountName} first (it creates the CI roles)` : `create the role ${parsed.path}${parsed.name}, or remove it from cluster.access`,
              ),
            );
          } else if ((fact.role.Path ?? "/") !== parsed.path) {
            problems.push(problem("error", `role ${principal.arn}`, where, `exists with path ${fact.role.Path} (${fact.role.Arn}): EKS matches the full ARN, path included`, `use ${fact.role.Arn} in cluster.access`));
          } else {
            verified.push(`role ${principal.arn} exists`);
          }
          break;
        }
        case "permission-set": {
          if (principal.accountId !== undefined && principal.accountId !== account) {
            problems.push(problem("warning", `permission set ${principal.permissionSet}`, where, `is resolved in account ${principal.accountId}, not ${account}`, `run the preflight with credentials of ${principal.accountId}`));
            break;
          }
          const pattern = new RegExp(principal.nameRegex);
          const matching = (facts.rolesUnderPath.get(principal.pathPrefix) ?? []).filter((role) => pattern.test(role.RoleName ?? ""));
          if (matching.length === 0) {
            problems.push(problem("error", `permission set ${principal.permissionSet}`, where, `no role ${principal.nameRegex} under ${principal.pathPrefix} in account ${account}: the permission set is not assigned to this account, and the plan's role lookup fails`, SSO_FIX(principal.permissionSet, account)));
          } else if (matching.length > 1) {
            problems.push(problem("error", `permission set ${principal.permissionSet}`, where, `${matching.length} roles match ${principal.nameRegex} (${matching.map((role) => role.Arn).join(", ")}): the plan's lookup needs exactly one`, "delete the stale roles of a re-provisioned permission set (or ask IAM Identity Center to re-provision it)"));
          } else {
            verified.push(`permission set ${principal.permissionSet} -> ${(matching[0] as { Arn?: string }).Arn}`);
          }
          break;
        }
      }
    }
    return { problems, verified };
  },
});
