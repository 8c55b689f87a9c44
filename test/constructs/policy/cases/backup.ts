import { BackupPlan, type BackupPlanRule } from "@cdktf/provider-aws/lib/backup-plan";
import { BackupSelection, type BackupSelectionConfig } from "@cdktf/provider-aws/lib/backup-selection";
import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import { BackupVaultLockConfiguration } from "@cdktf/provider-aws/lib/backup-vault-lock-configuration";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { Construct } from "constructs";
import { aurora } from "./databases";
import { bucket } from "./storage";
import { KEY_ARN, type RuleCase } from "./support";

const DR_VAULT = "arn:aws:backup:eu-central-1:123456789012:backup-vault:acme-prod-dr";
const BACKUP_ROLE = "arn:aws:iam::123456789012:role/acme-prod-backup";

function vault(scope: Construct, options: { key?: boolean; lock?: { min?: number; changeable?: number } | false } = {}): BackupVault {
  const resource = new BackupVault(scope, "vault", { name: "acme-prod", ...(options.key === false ? {} : { kmsKeyArn: KEY_ARN }) });
  if (options.lock !== false) {
    const lock = options.lock ?? {};
    new BackupVaultLockConfiguration(scope, "vault-lock", {
      backupVaultName: resource.name,
      minRetentionDays: lock.min ?? 7,
      maxRetentionDays: 400,
      ...(lock.changeable === undefined ? { changeableForDays: 3 } : lock.changeable > 0 ? { changeableForDays: lock.changeable } : {}),
    });
  }
  return resource;
}

/** Compliant production rules: daily with a DR copy, plus continuous backup. */
const defaultRules = (vaultName: string): BackupPlanRule[] => [
  {
    ruleName: "daily",
    targetVaultName: vaultName,
    schedule: "cron(0 2 * * ? *)",
    lifecycle: { deleteAfter: 35 },
    copyAction: [{ destinationVaultArn: DR_VAULT, lifecycle: { deleteAfter: 35 } }],
  },
  { ruleName: "continuous", targetVaultName: vaultName, enableContinuousBackup: true, lifecycle: { deleteAfter: 35 } },
];

function plan(scope: Construct, target: BackupVault, rules?: (vaultName: string) => BackupPlanRule[]): BackupPlan {
  return new BackupPlan(scope, "plan", { name: "acme-prod", rule: (rules ?? defaultRules)(target.name) });
}

function covered(scope: Construct, selection: (planId: string) => Partial<BackupSelectionConfig>): void {
  const cluster = aurora(scope, { tags: { Backup: "daily" } });
  const backupPlan = plan(scope, vault(scope));
  new BackupSelection(scope, "selection", { name: "stateful", planId: backupPlan.id, iamRoleArn: BACKUP_ROLE, ...selection(backupPlan.id) });
  void cluster;
}

/** An Aurora cluster keeping `retention` days of automated backups, selected by the default plan (continuous rule: 35 days). */
function pointInTime(scope: Construct, retention: number): void {
  aurora(scope, { backupRetentionPeriod: retention, tags: { Backup: "daily" } });
  const backupPlan = plan(scope, vault(scope));
  new BackupSelection(scope, "selection", { name: "stateful", planId: backupPlan.id, iamRoleArn: BACKUP_ROLE, selectionTag: [{ type: "STRINGEQUALS", key: "Backup", value: "daily" }] });
}

/** A plan of a daily rule at 02:00 and a 6-hourly rule starting at `frequentHour`, both with a one-hour start window. */
function twoRules(scope: Construct, frequentHour: number): void {
  plan(scope, vault(scope), (vaultName) => [
    ...defaultRules(vaultName).map((rule) => ({ ...rule, startWindow: 60 })),
    { ruleName: "frequent", targetVaultName: vaultName, schedule: `cron(0 ${frequentHour}/6 ? * * *)`, startWindow: 60, lifecycle: { deleteAfter: 35 } },
  ]);
}

/** Velero's bucket, covered by a selection, replicating to the replica bucket (or elsewhere). */
function velero(scope: Construct, toReplica: boolean): void {
  const replica = bucket(scope, { name: "acme-prod-velero-dr", id: "velero-replica" });
  const primary = bucket(scope, { name: "acme-prod-velero", id: "velero", replication: toReplica ? replica.arn : true });
  const backupPlan = plan(scope, vault(scope));
  new BackupSelection(scope, "selection", { name: "velero", planId: backupPlan.id, iamRoleArn: BACKUP_ROLE, resources: [primary.arn] });
}

export const BACKUP_CASES: readonly RuleCase[] = [
  {
    rule: "BACKUP-VAULT-CMK",
    compliant: (s) => vault(s),
    violating: (s) => vault(s, { key: false }),
    expect: /kms_key_arn is not set/,
  },
  {
    rule: "BACKUP-COVERAGE",
    compliant: (s) => covered(s, () => ({ selectionTag: [{ type: "STRINGEQUALS", key: "Backup", value: "daily" }] })),
    violating: (s) => covered(s, () => ({ selectionTag: [{ type: "STRINGEQUALS", key: "Backup", value: "weekly" }] })),
    expect: /no aws_backup_selection covers it/,
  },
  {
    rule: "BACKUP-COVERAGE",
    name: "ARN pattern with a tag condition",
    compliant: (s) =>
      covered(s, () => ({ resources: ["arn:aws:rds:*:*:cluster:*"], condition: [{ stringEquals: [{ key: "aws:ResourceTag/Backup", value: "daily" }] }] })),
    violating: (s) => covered(s, () => ({ resources: ["arn:aws:dynamodb:*:*:table/*"] })),
    expect: /no aws_backup_selection covers it/,
  },
  {
    rule: "BACKUP-COVERAGE",
    name: "a replication destination is itself the off-site copy",
    compliant: (s) => velero(s, true),
    violating: (s) => velero(s, false),
    expect: /no aws_backup_selection covers it/,
  },
  {
    rule: "BACKUP-PLAN-RETENTION",
    compliant: (s) => plan(s, vault(s)),
    violating: (s) => plan(s, vault(s), (vaultName) => [{ ruleName: "daily", targetVaultName: vaultName, schedule: "cron(0 2 * * ? *)", lifecycle: { deleteAfter: 7 } }]),
    expect: [/deletes recovery points after 7 days/, /no point-in-time recovery/, /no rule copies recovery points/],
  },
  {
    rule: "BACKUP-VAULT-LOCK",
    compliant: (s) => plan(s, vault(s)),
    violating: (s) => plan(s, vault(s, { lock: { min: 90, changeable: 0 } })),
    expect: [/min_retention_days 90 exceeds the shortest delete_after 35/, /changeable_for_days is not set/],
  },
  {
    rule: "BACKUP-VAULT-LOCK",
    name: "no lock",
    compliant: (s) => vault(s),
    violating: (s) => vault(s, { lock: false }),
    expect: /no aws_backup_vault_lock_configuration/,
  },
  {
    rule: "BACKUP-PITR-RETENTION",
    compliant: (s) => pointInTime(s, 35),
    violating: (s) => pointInTime(s, 14),
    expect: /backup_retention_period is 14 but plan \S+ rule "continuous" keeps continuous backups 35 days/,
  },
  {
    rule: "BACKUP-RULE-OVERLAP",
    compliant: (s) => twoRules(s, 0),
    violating: (s) => twoRules(s, 2),
    expect: /rules daily and frequent may start within the same start window \(first on 2027-01-01 02:00 \(Friday\)\)/,
  },
  {
    rule: "STATEFUL-PREVENT-DESTROY",
    compliant: (s) => {
      new KmsKey(s, "key", { enableKeyRotation: true, lifecycle: { preventDestroy: true } });
      aurora(s, { lifecycle: { preventDestroy: true } });
    },
    violating: (s) => {
      new KmsKey(s, "key", { enableKeyRotation: true });
      aurora(s);
    },
    expect: [/lifecycle\.prevent_destroy is not set: a destroy loses key material/, /database cluster storage/],
  },
];
