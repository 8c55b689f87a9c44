/**
 * The principals each stack's EKS access entries need to exist (for the preflight), read from the synthesized JSON.
 */
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { describe, expect, it } from "vitest";
import { accessEntryPrincipals } from "../../../constructs/policy/access-principals";
import type { SynthesizedStack } from "../../../constructs/policy/model";
import { bundledSynth } from "../../support/synth";
import { fixture } from "./cases/support";

const stacks = new Map([...bundledSynth()].map(([name, text]) => [name, JSON.parse(text) as SynthesizedStack]));

describe("accessEntryPrincipals over every synthesized stack", () => {
  it("classifies every principal of every access entry (no expression left for the preflight to guess)", () => {
    for (const [name, json] of stacks) {
      const principals = accessEntryPrincipals(json, name);
      const entries = Object.keys(json.resource?.aws_eks_access_entry ?? {}).length;
      expect(principals.flatMap((principal) => principal.accessEntries), name).toHaveLength(entries);
      expect(principals.filter((principal) => principal.kind === "expression"), name).toEqual([]);
    }
  });

  it("prod-infra: the CI roles by ARN, and the permission sets' roles in the stack's account", () => {
    const principals = accessEntryPrincipals(stacks.get("prod-infra") as SynthesizedStack, "prod-infra");
    expect(principals.map((principal) => (principal.kind === "role" ? principal.arn : principal.kind === "permission-set" ? `sso:${principal.permissionSet}` : principal.kind)).sort()).toEqual([
      "arn:aws:iam::111111111111:role/acme-prod-ci-deploy",
      "arn:aws:iam::111111111111:role/acme-prod-ci-plan",
      "sso:PlatformAdmin",
      "sso:PlatformReadOnly",
    ]);
    expect(principals.find((principal) => principal.kind === "permission-set")).toEqual({
      kind: "permission-set",
      permissionSet: "PlatformAdmin",
      nameRegex: "^AWSReservedSSO_PlatformAdmin_[0-9a-f]+$",
      pathPrefix: "/aws-reserved/sso.amazonaws.com/",
      accountId: "111111111111",
      accessEntries: [expect.stringMatching(/^aws_eks_access_entry\.cluster_access-admin-sso-platformadmin_/)],
    });
  });
});

describe("accessEntryPrincipals on fixtures", () => {
  it("reports a role created in the same stack as needing no check, and any other expression as such", () => {
    const json = fixture((scope) => {
      const role = new IamRole(scope, "operator", { assumeRolePolicy: "{}" });
      new EksAccessEntry(scope, "created", { clusterName: "c", principalArn: role.arn });
      new EksAccessEntry(scope, "other", { clusterName: "c", principalArn: "${var.principal}" });
      new EksAccessEntry(scope, "literal", { clusterName: "c", principalArn: "arn:aws:iam::123456789012:role/team/ops" });
    });
    expect(accessEntryPrincipals(json, "fixture")).toEqual([
      { kind: "created", address: "aws_iam_role.operator", accessEntries: ["aws_eks_access_entry.created"] },
      { kind: "expression", expression: "${var.principal}", accessEntries: ["aws_eks_access_entry.other"] },
      { kind: "role", arn: "arn:aws:iam::123456789012:role/team/ops", accessEntries: ["aws_eks_access_entry.literal"] },
    ]);
  });

  it("recovers a permission set name with regex metacharacters", () => {
    const json = fixture((scope) => {
      // What constructs/cluster/access.ts synthesizes for a permission set named "Read.Only+Audit".
      new EksAccessEntry(scope, "sso", { clusterName: "c", principalArn: "${one(tolist(data.aws_iam_roles.sso.arns))}" });
    }) as SynthesizedStack & { data?: Record<string, Record<string, unknown>> };
    const withLookup = { ...json, data: { aws_iam_roles: { sso: { name_regex: "^AWSReservedSSO_Read\\.Only\\+Audit_[0-9a-f]+$", path_prefix: "/aws-reserved/sso.amazonaws.com/" } } } } as SynthesizedStack;
    expect(accessEntryPrincipals(withLookup, "fixture")).toEqual([expect.objectContaining({ kind: "permission-set", permissionSet: "Read.Only+Audit", accountId: "123456789012" })]);
  });
});
