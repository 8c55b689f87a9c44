import { describe, expect, it } from "vitest";
import { Naming } from "../../../constructs/core/naming";
import { KEY_PURPOSES, PlatformKeys, type PlatformKeysProps } from "../../../constructs/kms";
import { resourceList, synthConstruct, TEST_ACCOUNT, type Synthesized } from "../../support/synth";

const naming = new Naming({ project: "acme", environment: "prod" });

function keys(props: Partial<PlatformKeysProps> = {}) {
  return synthConstruct((scope) => new PlatformKeys(scope, "keys", { naming, account: TEST_ACCOUNT, ...props }));
}

type Statement = { sid?: string; principals?: { type: string; identifiers: string[] }[]; condition?: { test: string; variable: string; values: string[] }[] };
const statements = (json: Synthesized, purpose: string): Statement[] =>
  Object.entries(json.data?.aws_iam_policy_document ?? {}).find(([id]) => id.startsWith(`keys_${purpose}-policy_`))![1].statement as Statement[];

describe("PlatformKeys", () => {
  const { json, construct } = keys();

  it("creates a rotating customer-managed key and an alias per purpose", () => {
    const created = resourceList(json, "aws_kms_key");
    expect(created).toHaveLength(KEY_PURPOSES.length);
    for (const key of created) {
      expect(key).toMatchObject({ enable_key_rotation: true, rotation_period_in_days: 365, deletion_window_in_days: 30, lifecycle: { prevent_destroy: true } });
    }
    expect(resourceList(json, "aws_kms_alias").map((alias) => alias.name).sort()).toEqual(
      ["alias/acme-prod-backup", "alias/acme-prod-cluster", "alias/acme-prod-data", "alias/acme-prod-logs"],
    );
    expect(construct.aliases.data).toBe("alias/acme-prod-data");
  });

  it("delegates to IAM in its own account and admits no unconditioned wildcard principal", () => {
    for (const purpose of KEY_PURPOSES) {
      const policy = statements(json, purpose);
      expect(policy[0]).toMatchObject({ sid: "EnableIamPolicies", principals: [{ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] }] });
      const wildcards = policy.filter((statement) => statement.principals?.some((principal) => principal.identifiers.includes("*")));
      const unconditioned = wildcards.filter((statement) => !statement.condition?.some((c) => c.variable === "kms:CallerAccount"));
      expect(unconditioned.map((statement) => `${purpose} ${statement.sid}`)).toEqual([]);
    }
  });

  it("lets CloudWatch Logs use the logs key only for this account's log groups", () => {
    const logs = statements(json, "logs").find((statement) => statement.sid === "AllowCloudWatchLogs")!;
    expect(logs.principals).toEqual([{ type: "Service", identifiers: ["logs.eu-west-1.amazonaws.com"] }]);
    expect(logs.condition).toEqual([
      { test: "ArnLike", variable: "kms:EncryptionContext:aws:logs:arn", values: ["arn:aws:logs:eu-west-1:123456789012:log-group:*"] },
    ]);
    expect(statements(json, "data").some((statement) => statement.sid === "AllowCloudWatchLogs")).toBe(false);
  });

  it("lets the Auto Scaling service-linked role use the cluster key for node volumes", () => {
    const sids = statements(json, "cluster").map((statement) => statement.sid);
    expect(sids).toEqual(expect.arrayContaining(["AllowAutoScalingServiceLinkedRoleUse", "AllowAutoScalingServiceLinkedRoleGrants"]));
  });

  it("allows destroy and a shorter deletion window where the environment opts out", () => {
    const relaxed = keys({ preventDestroy: false, deletionWindowDays: 7, rotationPeriodDays: 90 });
    for (const key of resourceList(relaxed.json, "aws_kms_key")) {
      expect(key).toMatchObject({ deletion_window_in_days: 7, rotation_period_in_days: 90, lifecycle: { prevent_destroy: false } });
    }
  });

  it("rejects an out-of-range deletion window or rotation period", () => {
    expect(() => keys({ deletionWindowDays: 3 })).toThrow(/deletionWindowDays must be an integer from 7 to 30, got 3/);
    expect(() => keys({ rotationPeriodDays: 3000 })).toThrow(/rotationPeriodDays must be an integer from 90 to 2560, got 3000/);
  });
});
