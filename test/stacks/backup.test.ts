import type { TerraformStack } from "cdktf";
import { describe, expect, it } from "vitest";
import { CHART_CATALOG } from "../../charts/catalog";
import { releaseValuesProblems } from "../../charts/values-check";
import { assessStack, RpoCheck } from "../../constructs/rpo";
import { InfraStack } from "../../stacks/infra";
import { buildStacks, bundledConfig, resourceList, synthJson } from "../support/synth";

const stacks = await buildStacks(bundledConfig(), { stackPatterns: ["prod-infra", "prod-platform", "dev-infra"] });
const prod = stacks.get("prod-infra") as InfraStack;
const dev = stacks.get("dev-infra") as InfraStack;
const prodJson = synthJson(prod);
const devJson = synthJson(dev);
const prodPlatformJson = synthJson(stacks.get("prod-platform") as TerraformStack);

describe("prod-infra backups", () => {
  it("has a primary vault and a DR vault in the DR region, both locked", () => {
    const vaults = resourceList(prodJson, "aws_backup_vault");
    expect(vaults.map((vault) => vault.name).sort()).toEqual(["acme-prod-backup", "acme-prod-backup-dr"]);
    expect(vaults.find((vault) => vault.name === "acme-prod-backup-dr")?.provider).toBe("aws.dr");
    const drProvider = prodJson.provider?.aws?.find((provider) => provider.alias === "dr");
    expect(drProvider).toMatchObject({ region: "eu-central-1", allowed_account_ids: ["111111111111"] });
    expect(resourceList(prodJson, "aws_backup_vault_lock_configuration")).toHaveLength(2);
    expect(resourceList(prodJson, "aws_kms_key").some((key) => key.provider === "aws.dr")).toBe(true);
  });

  it("has a plan with copy actions to the DR vault and continuous backup, selected by tag within the environment", () => {
    const [plan] = resourceList(prodJson, "aws_backup_plan") as { rule: { rule_name: string; copy_action?: unknown[]; enable_continuous_backup: boolean; lifecycle: { delete_after: number } }[] }[];
    expect(plan?.rule.filter((rule) => rule.copy_action).map((rule) => rule.rule_name)).toEqual(["daily", "weekly"]);
    expect(plan?.rule.some((rule) => rule.enable_continuous_backup)).toBe(true);
    // Policy pack BACKUP-PLAN-RETENTION: every production rule keeps at least 35 days.
    for (const rule of plan?.rule ?? []) expect(rule.lifecycle.delete_after).toBeGreaterThanOrEqual(35);
    const [selection] = resourceList(prodJson, "aws_backup_selection");
    expect(JSON.stringify(selection?.condition)).toContain('{"key":"aws:ResourceTag/Environment","value":"prod"}');
  });

  it("notifies the alerts topic of failures and restore-tests quarterly", () => {
    expect(resourceList(prodJson, "aws_backup_vault_notifications")[0]?.sns_topic_arn).toMatch(/aws_sns_topic\.alerts_topic/);
    expect(resourceList(prodJson, "aws_cloudwatch_event_target").some((target) => String(target.arn).includes("aws_sns_topic.alerts_topic"))).toBe(true);
    expect(resourceList(prodJson, "aws_sns_topic_subscription")).toEqual([expect.objectContaining({ protocol: "email", endpoint: "platform-oncall@example.com" })]);
    expect(resourceList(prodJson, "aws_backup_restore_testing_plan")[0]?.schedule_expression).toBe("cron(0 6 2 1,4,7,10 ? *)");
  });

  it("registers the RPO check on the stack, and the bundled production policy satisfies it", () => {
    expect(prod.backup.rpoCheck).toBeInstanceOf(RpoCheck);
    expect(prod.node.validate().filter((message) => message.startsWith("RPO check"))).toEqual([]);
    expect(assessStack(prod, prod.backup.rpoTargets).flatMap((assessment) => assessment.problems)).toEqual([]);
  });
});

describe("prod Velero", () => {
  it("keeps Velero's bucket in prod-infra, replicated to the DR region", () => {
    const buckets = resourceList(prodJson, "aws_s3_bucket").map((bucket) => [bucket.bucket, bucket.region ?? "home"]);
    expect(buckets).toEqual(expect.arrayContaining([["acme-prod-velero", "home"], ["acme-prod-velero-dr", "eu-central-1"]]));
    expect(resourceList(prodJson, "aws_s3_bucket_replication_configuration").length).toBeGreaterThan(0);
  });

  it("installs the Velero release in prod-platform, whose values keys exist upstream", () => {
    const releases = resourceList(prodPlatformJson, "helm_release").filter((release) => release.chart === "velero");
    expect(releases).toEqual([expect.objectContaining({ name: "velero", version: CHART_CATALOG.velero.version })]);
    expect(releaseValuesProblems(prodPlatformJson).filter((problem) => problem.chart === "velero")).toEqual([]);
    // The platform stack finds Velero's bucket by its deterministic name, never through a reference to prod-infra.
    expect(JSON.stringify(prodPlatformJson)).toContain("arn:aws:s3:::acme-prod-velero/*");
  });
});

describe("dev-infra backups", () => {
  it("runs a lighter policy: one unlocked vault, daily backups without copies, no restore tests", () => {
    expect(resourceList(devJson, "aws_backup_vault").map((vault) => vault.name)).toEqual(["acme-dev-backup"]);
    expect(resourceList(devJson, "aws_backup_vault_lock_configuration")).toEqual([]);
    const [plan] = resourceList(devJson, "aws_backup_plan") as { rule: { rule_name: string; copy_action?: unknown }[] }[];
    expect(plan?.rule.map((rule) => rule.rule_name)).toEqual(["daily"]);
    expect(plan?.rule[0]?.copy_action).toBeUndefined();
    expect(resourceList(devJson, "aws_backup_restore_testing_plan")).toEqual([]);
    expect(devJson.provider?.aws?.some((provider) => provider.alias === "dr")).toBe(false);
  });

  it("still satisfies its own RPO", () => {
    expect(assessStack(dev, dev.backup.rpoTargets).flatMap((assessment) => assessment.problems)).toEqual([]);
  });
});
