import { describe, expect, it } from "vitest";
import { TERRAFORM_ACTIONS, actionsOfEntry } from "../../../constructs/ci-identity/action-map";
import { PermissionsBoundary, PLATFORM_SERVICES, type PermissionsBoundaryProps } from "../../../constructs/permissions-boundary";
import { awsManagedPolicy, bundledModels, iamWorld } from "../../support/iam";
import { resourceList, synthConstruct, TEST_ACCOUNT, type Synthesized } from "../../support/synth";

function boundary(props: Partial<PermissionsBoundaryProps> = {}) {
  return synthConstruct((scope) => new PermissionsBoundary(scope, "boundary", { account: TEST_ACCOUNT, name: "acme-platform-boundary", project: "acme", ...props }));
}

type Statement = { sid?: string; effect?: string; actions?: string[]; resources?: string[]; condition?: { test: string; variable: string; values: string[] }[] };
const statements = (json: Synthesized) => Object.values(json.data?.aws_iam_policy_document ?? {})[0]!.statement as Statement[];

describe("PermissionsBoundary", () => {
  const { json, construct } = boundary();
  const sid = (name: string) => statements(json).find((statement) => statement.sid === name);

  it("is a managed policy capping every role at the platform's services", () => {
    expect(resourceList(json, "aws_iam_policy")).toEqual([expect.objectContaining({ name: "acme-platform-boundary" })]);
    expect(construct.arn).toBe("arn:aws:iam::123456789012:policy/acme-platform-boundary");
    expect(sid("PlatformServicesOnly")?.actions).toEqual(PLATFORM_SERVICES.map((service) => `${service}:*`));
  });

  it("forbids leaving it: no boundary removal, no unbounded role, no IAM users, no change to the CI identity or itself", () => {
    expect(sid("NeverLeaveTheBoundary")).toMatchObject({ effect: "Deny", actions: ["iam:DeleteRolePermissionsBoundary"] });
    expect(sid("OnlyBoundedRoles")).toMatchObject({ effect: "Deny", condition: [{ test: "StringNotEquals", variable: "iam:PermissionsBoundary", values: [construct.arn] }] });
    expect(sid("OnlyBoundedRoles")?.actions).toEqual(["iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:AttachRolePolicy"]);
    expect(sid("NoIamUsers")?.actions).toEqual(expect.arrayContaining(["iam:CreateUser", "iam:CreateAccessKey"]));
    expect(sid("ProtectCiIdentityAndBoundary")?.resources).toContain(construct.arn);
    expect(sid("ProtectDetectiveControls")?.actions).toEqual(expect.arrayContaining(["cloudtrail:StopLogging", "guardduty:DeleteDetector", "config:StopConfigurationRecorder", "access-analyzer:DeleteAnalyzer"]));
    // Nothing to protect beyond the controls' APIs without the audit bucket or the state.
    expect(sid("ProtectAuditAndStateBuckets")).toBeUndefined();
  });

  it("protects the audit log bucket, its objects and key, and in the bootstrap account the state bucket and key", () => {
    const { json: full } = boundary({ auditLogs: { bucketName: "acme-audit-logs", keyAlias: "alias/acme-audit-logs" }, state: { bucketName: "acme-tfstate", keyAlias: "alias/acme-tfstate" } });
    const find = (name: string) => statements(full).find((statement) => statement.sid === name)!;
    expect(find("ProtectAuditAndStateBuckets").resources).toEqual(["arn:aws:s3:::acme-audit-logs", "arn:aws:s3:::acme-tfstate"]);
    expect(find("ProtectAuditLogObjects").resources).toEqual(["arn:aws:s3:::acme-audit-logs/*"]);
    expect(find("ProtectAuditAndStateKeys").condition).toEqual([{ test: "ForAnyValue:StringEquals", variable: "kms:ResourceAliases", values: ["alias/acme-audit-logs", "alias/acme-tfstate"] }]);
  });

  it("rejects an empty service list", () => {
    expect(() => boundary({ allowedServices: [] })).toThrow(/allowedServices must name at least one service/);
  });
});

describe("the boundary holds everything the platform's roles are granted", () => {
  const world = iamWorld(bundledModels());
  const allowed = new Set(PLATFORM_SERVICES);
  const broad = new Set(["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/PowerUserAccess"]);

  it("every service of every action the platform's own policies grant a bounded role is inside (a grant outside would be dead)", () => {
    // AWS-managed policies (service roles' AWSBackupServiceRolePolicyForBackup and the like) cover services the
    // platform never uses; the policies the platform writes must stay inside.
    const outside: string[] = [];
    for (const role of world.allRoles()) {
      expect(role.permissionsBoundaryArn, role.path).toBeDefined();
      const customer = role.managedPolicyArns.filter((arn) => !broad.has(arn) && awsManagedPolicy(arn) === undefined);
      const documents = [...role.inline.map((policy) => policy.document), ...customer.map((arn) => world.stacks.flatMap((stack) => [...stack.managedPolicies]).find(([candidate]) => candidate === arn)?.[1].document)];
      for (const document of documents) {
        for (const statement of document?.Statement ?? []) {
          if (statement.Effect !== "Allow") continue;
          // AWS-managed documents may give a single action as a string.
          for (const action of [statement.Action ?? []].flat()) {
            const service = action === "*" ? "*" : action.split(":")[0]!;
            if (!allowed.has(service)) outside.push(`${role.path}: ${action}`);
          }
        }
      }
    }
    expect([...new Set(outside)]).toEqual([]);
  });

  it("names no service nothing uses (least privilege: a role bounded by it can reach only what the platform needs)", () => {
    const used = new Set(Object.values(TERRAFORM_ACTIONS).flatMap((entry) => actionsOfEntry(entry).map((action) => action.split(":")[0]!)));
    for (const role of world.allRoles()) {
      const documents = [...role.inline.map((policy) => policy.document), ...role.managedPolicyArns.filter((arn) => !broad.has(arn)).map((arn) => awsManagedPolicy(arn))];
      for (const document of documents) for (const statement of document?.Statement ?? []) if (statement.Effect === "Allow") for (const action of [statement.Action ?? []].flat()) used.add(action.split(":")[0]!);
    }
    expect(PLATFORM_SERVICES.filter((service) => !used.has(service))).toEqual([]);
  });

  it("and every action the deploy role's action map needs", () => {
    const services = new Set(Object.values(TERRAFORM_ACTIONS).flatMap((entry) => actionsOfEntry(entry).map((action) => action.split(":")[0]!)));
    expect([...services].filter((service) => !allowed.has(service))).toEqual([]);
  });
});
