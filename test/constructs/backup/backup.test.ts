import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { Backup, FAILED_JOB_STATES, type BackupProps } from "../../../constructs/backup";
import { awsProvider } from "../../../constructs/core/aws";
import { Naming } from "../../../constructs/core/naming";
import { backupPlan, SMARTEDU_POLICY } from "../../fixtures/backup-policies";
import { resourceList, synthConstruct, TEST_ACCOUNT } from "../../support/synth";

const naming = new Naming({ project: "acme", environment: "prod" });
const LOCK = { enabled: true, mode: "compliance" as const, changeableForDays: 3, minRetentionDays: 7, maxRetentionDays: 400 };
const PROD_PLAN = { ...SMARTEDU_POLICY, restoreTesting: { frequency: "quarterly", resourceTypes: ["Aurora", "S3"] } };

type Overrides = Partial<Omit<BackupProps, "naming" | "account" | "vaultKey" | "alertsTopicArn" | "disasterRecovery">> & { dr?: boolean };

function build(scope: Construct, overrides: Overrides = {}): Backup {
  const { dr = true, ...rest } = overrides;
  const drProvider = dr ? awsProvider(scope, "aws-dr", { accountId: TEST_ACCOUNT.accountId, region: "eu-central-1", tags: {}, alias: "dr" }) : undefined;
  return new Backup(scope, "backup", {
    naming,
    account: TEST_ACCOUNT,
    plans: { default: backupPlan(PROD_PLAN) },
    vaultKey: new KmsKey(scope, "backup-key", {}),
    alertsTopicArn: "arn:aws:sns:eu-west-1:123456789012:acme-prod-alerts",
    ...(drProvider ? { disasterRecovery: { provider: drProvider, region: "eu-central-1", key: new KmsKey(scope, "dr-key", { provider: drProvider }) } } : {}),
    vaultLock: LOCK,
    selectionConditions: { Environment: "prod" },
    restoreSubnetGroupName: "acme-prod-data",
    ...rest,
  });
}

function synth(overrides: Overrides = {}) {
  return synthConstruct((scope) => build(scope, overrides));
}

describe("Backup (production policy)", () => {
  const { json } = synth();
  const vaults = resourceList(json, "aws_backup_vault");
  const plan = resourceList(json, "aws_backup_plan")[0] as { name: string; rule: Record<string, unknown>[] };
  const ruleNamed = (name: string) => plan.rule.find((rule) => rule.rule_name === name) as Record<string, unknown>;

  it("creates a primary vault with the backup key and a DR vault through the DR provider, both protected", () => {
    expect(vaults).toHaveLength(2);
    expect(vaults.map((vault) => vault.name).sort()).toEqual(["acme-prod-backup", "acme-prod-backup-dr"]);
    for (const vault of vaults) expect(vault).toMatchObject({ force_destroy: false, lifecycle: { prevent_destroy: true }, kms_key_arn: expect.stringMatching(/^\$\{aws_kms_key\./) });
    expect(vaults.find((vault) => vault.name === "acme-prod-backup-dr")?.provider).toBe("aws.dr");
    expect(vaults.find((vault) => vault.name === "acme-prod-backup-dr")?.kms_key_arn).toMatch(/aws_kms_key\.dr-key/);
  });

  it("locks both vaults in compliance mode with the configured range", () => {
    const locks = resourceList(json, "aws_backup_vault_lock_configuration");
    expect(locks).toHaveLength(2);
    for (const lock of locks) expect(lock).toMatchObject({ min_retention_days: 7, max_retention_days: 400, changeable_for_days: 3 });
  });

  it("derives the plan's rules with time zone, windows, lifecycle, copies to the DR vault and continuous backup", () => {
    expect(plan.name).toBe("acme-prod-default");
    expect(plan.rule.map((rule) => rule.rule_name)).toEqual(["frequent", "daily", "weekly", "continuous"]);
    expect(ruleNamed("daily")).toMatchObject({
      schedule: "cron(0 2 ? * * *)",
      schedule_expression_timezone: "UTC",
      start_window: 60,
      completion_window: 480,
      enable_continuous_backup: false,
      lifecycle: { delete_after: 30 },
      copy_action: [{ destination_vault_arn: expect.stringContaining("aws_backup_vault.backup_dr-vault"), lifecycle: { delete_after: 30 } }],
      recovery_point_tags: { "platform:backup-plan": "default", "platform:backup-tier": "daily" },
    });
    expect(ruleNamed("weekly")).toMatchObject({ lifecycle: { cold_storage_after: 1, delete_after: 365, opt_in_to_archive_for_supported_resources: true } });
    expect(ruleNamed("frequent").copy_action).toBeUndefined();
    expect(ruleNamed("continuous")).toMatchObject({ enable_continuous_backup: true, lifecycle: { delete_after: 7 } });
  });

  it("selects the plan's tag AND the environment's tag", () => {
    const [selection] = resourceList(json, "aws_backup_selection");
    expect(selection).toMatchObject({
      name: "acme-prod-default",
      resources: ["*"],
      condition: [{ string_equals: [{ key: "aws:ResourceTag/platform:backup", value: "default" }, { key: "aws:ResourceTag/Environment", value: "prod" }] }],
      plan_id: expect.stringContaining("aws_backup_plan."),
    });
  });

  it("gives AWS Backup a role with the backup and restore managed policies", () => {
    const [role] = resourceList(json, "aws_iam_role");
    expect(role?.name).toBe("acme-prod-backup");
    expect(resourceList(json, "aws_iam_role_policy_attachment").map((attachment) => attachment.policy_arn).sort()).toEqual([
      "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
      "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore",
      "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
      "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    ]);
  });

  it("sends failures to the alerts topic: vault failure events and an EventBridge rule for failed jobs", () => {
    const [notifications] = resourceList(json, "aws_backup_vault_notifications");
    expect(notifications).toMatchObject({ sns_topic_arn: "arn:aws:sns:eu-west-1:123456789012:acme-prod-alerts", backup_vault_events: ["COPY_JOB_FAILED", "S3_BACKUP_OBJECT_FAILED", "S3_RESTORE_OBJECT_FAILED"] });
    const [rule] = resourceList(json, "aws_cloudwatch_event_rule");
    expect(JSON.parse(String(rule?.event_pattern))).toEqual({
      source: ["aws.backup"],
      "detail-type": ["Backup Job State Change", "Copy Job State Change", "Restore Job State Change"],
      detail: { state: [...FAILED_JOB_STATES] },
    });
    expect(resourceList(json, "aws_cloudwatch_event_target")[0]).toMatchObject({ arn: "arn:aws:sns:eu-west-1:123456789012:acme-prod-alerts" });
  });

  it("restore-tests the listed resource types quarterly, into the data subnet group for databases", () => {
    const [testing] = resourceList(json, "aws_backup_restore_testing_plan");
    expect(testing).toMatchObject({
      name: "acme_prod_default_restore_tests",
      schedule_expression: "cron(0 6 2 1,4,7,10 ? *)",
      recovery_point_selection: [{ algorithm: "LATEST_WITHIN_WINDOW", recovery_point_types: ["CONTINUOUS", "SNAPSHOT"] }],
    });
    const selections = resourceList(json, "aws_backup_restore_testing_selection");
    expect(selections.map((selection) => selection.protected_resource_type)).toEqual(["Aurora", "S3"]);
    expect(selections[0]).toMatchObject({ name: "acme_prod_default_aurora", restore_metadata_overrides: { dbsubnetgroupname: "acme-prod-data" }, protected_resource_arns: ["*"] });
    expect(selections[1]?.restore_metadata_overrides).toBeUndefined();
    expect(testing?.schedule_expression_timezone).toBe(backupPlan(PROD_PLAN).timezone);
  });

  it("restore-tests on the configured day, time and time zone when a schedule is set", () => {
    const scheduled = backupPlan({ ...PROD_PLAN, restoreTesting: { ...PROD_PLAN.restoreTesting, schedule: "30 5 * * 2", timezone: "Africa/Nairobi" } });
    const [testing] = resourceList(synth({ plans: { default: scheduled } }).json, "aws_backup_restore_testing_plan");
    expect(testing).toMatchObject({ schedule_expression: "cron(30 5 ? * 3 *)", schedule_expression_timezone: "Africa/Nairobi" });
  });
});

describe("Backup (development policy)", () => {
  const { json } = synth({
    dr: false,
    plans: { default: backupPlan({ daily: { enabled: true, retentionDays: 7 } }) },
    vaultLock: { ...LOCK, enabled: false },
    protect: false,
  });

  it("runs a lighter policy: one vault without lock, a daily rule without copies, no restore tests", () => {
    expect(resourceList(json, "aws_backup_vault")).toEqual([expect.objectContaining({ name: "acme-prod-backup", lifecycle: { prevent_destroy: false } })]);
    expect(resourceList(json, "aws_backup_vault_lock_configuration")).toEqual([]);
    const [plan] = resourceList(json, "aws_backup_plan") as { rule: Record<string, unknown>[] }[];
    expect(plan?.rule).toEqual([expect.objectContaining({ rule_name: "daily", lifecycle: { delete_after: 7 } })]);
    expect(plan?.rule[0]?.copy_action).toBeUndefined();
    expect(resourceList(json, "aws_backup_restore_testing_plan")).toEqual([]);
  });

  it("uses a governance lock (no changeable_for_days) when asked", () => {
    const governance = synth({ vaultLock: { ...LOCK, mode: "governance" } });
    const [lock] = resourceList(governance.json, "aws_backup_vault_lock_configuration");
    expect(lock?.changeable_for_days).toBeUndefined();
  });
});

/** A synthesis with `overrides`, to be expected to throw. */
const attempt = (overrides: Overrides) => () => synth(overrides);

describe("Backup validation", () => {

  it("rejects a plan retention outside the vault lock range", () => {
    expect(attempt({ vaultLock: { ...LOCK, minRetentionDays: 14 } })).toThrow(/plan default: frequent keeps recovery points 7 days, outside the vault lock range 14-400 \(backup\.vaultLock\)/);
    expect(attempt({ vaultLock: { ...LOCK, maxRetentionDays: 100 } })).toThrow(/weekly keeps recovery points 365 days, outside the vault lock range 7-100/);
  });

  it("rejects an inverted lock range and a compliance lock without a grace period", () => {
    expect(attempt({ vaultLock: { ...LOCK, minRetentionDays: 500 } })).toThrow(/vault lock minRetentionDays 500 exceeds maxRetentionDays 400/);
    expect(attempt({ vaultLock: { ...LOCK, changeableForDays: 1 } })).toThrow(/compliance vault lock needs changeableForDays >= 3/);
  });

  it("rejects copies without a destination", () => {
    expect(attempt({ dr: false })).toThrow(/plan default: daily\.copy is true but there is no copy destination/);
  });

  it("rejects plans without plans, without schedules, or with an invalid name", () => {
    expect(attempt({ plans: {} })).toThrow(/at least one plan is required/);
    expect(attempt({ plans: { default: { ...backupPlan(PROD_PLAN), frequent: { ...backupPlan(PROD_PLAN).frequent, enabled: false }, daily: { ...backupPlan(PROD_PLAN).daily, enabled: false }, weekly: { ...backupPlan(PROD_PLAN).weekly, enabled: false } } } })).toThrow(/plan default has no enabled schedule tier/);
    expect(attempt({ plans: { Default: backupPlan(PROD_PLAN) } })).toThrow(/plan name "Default" is not allowed/);
  });

  it("rejects lifecycles AWS Backup refuses", () => {
    const plan = backupPlan(PROD_PLAN);
    expect(attempt({ plans: { default: { ...plan, continuous: { ...plan.continuous, retentionDays: 36 } } } })).toThrow(/continuous\.retentionDays 36 exceeds 35/);
    expect(attempt({ plans: { default: { ...plan, weekly: { ...plan.weekly, coldStorageAfterDays: 300 } } } })).toThrow(/weekly\.retentionDays 365 must be at least coldStorageAfterDays \+ 90 = 390/);
    expect(attempt({ plans: { default: { ...plan, startWindow: 30 } } })).toThrow(/startWindow must be at least 60 minutes, got 30/);
    expect(attempt({ plans: { default: { ...plan, completionWindow: 90 } } })).toThrow(/completionWindow must be at least startWindow \+ 60 minutes, got 90/);
  });

  it("rejects a DR region equal to the home region and unknown restore-test types", () => {
    expect(() =>
      synthConstruct((scope) => {
        const same = awsProvider(scope, "aws-same", { ...TEST_ACCOUNT, tags: {}, alias: "same" });
        return new Backup(scope, "backup", {
          naming,
          account: TEST_ACCOUNT,
          plans: { default: backupPlan(PROD_PLAN) },
          vaultKey: new KmsKey(scope, "key", {}),
          alertsTopicArn: "arn:aws:sns:eu-west-1:123456789012:acme-prod-alerts",
          disasterRecovery: { provider: same, region: TEST_ACCOUNT.region, key: new KmsKey(scope, "same-key", {}) },
        });
      }),
    ).toThrow(/the disaster-recovery region must differ from the home region eu-west-1/);
    const plan = backupPlan(PROD_PLAN);
    expect(attempt({ plans: { default: { ...plan, restoreTesting: { ...plan.restoreTesting, resourceTypes: ["Redis" as never] } } } })).toThrow(/restore testing resource type "Redis" is not one of/);
  });
});
