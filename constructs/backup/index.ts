/**
 * AWS Backup for one environment, derived from its backup policy (config `backup`):
 *
 * - a vault encrypted with the environment's backup key, and — when copies go to a disaster-recovery region — a
 *   second vault there (through that region's provider, encrypted with a key of that region);
 * - vault lock on both vaults when the policy asks (compliance or governance), checked against every retention;
 * - one backup plan per configured plan: a rule per enabled schedule tier and one continuous-backup rule (schedule
 *   with time zone, start/completion windows, lifecycle with cold storage, copy actions to the DR vault and to
 *   another account's vault);
 * - one selection per plan: every resource tagged `platform:backup = <plan>` (constructs/core/backup-tag.ts) that
 *   also carries the `selectionConditions` tags (the environment), so environments sharing an account never back
 *   up each other's resources;
 * - failure notifications to the alerts topic: vault notifications for the failure events AWS Backup still emits
 *   per vault (copy jobs, S3 objects) and an EventBridge rule for failed, aborted and expired backup, copy and
 *   restore jobs (the vault's BACKUP_JOB_FAILED event is deprecated; BACKUP_JOB_COMPLETED would page on successes);
 * - a restore-testing plan per plan whose policy asks for restore tests, with a selection per resource type the plan
 *   protects in this stack (`protectedResourceTypes`; a selection for a type the stack does not have fails every run);
 * - cold-storage transitions only on plans that protect a resource type supporting them (Aurora, RDS, DocumentDB and
 *   S3 do not: AWS Backup ignores the transition for them, config/schema/backup-coverage.ts);
 * - no two rules of a plan with overlapping start windows (AWS Backup would run only the longer-retained one);
 * - the synth-time RPO check (constructs/rpo) on the stack, against every plan's objectives.
 */
import { BackupPlan, type BackupPlanRule, type BackupPlanRuleLifecycle } from "@cdktf/provider-aws/lib/backup-plan";
import { BackupRestoreTestingPlan } from "@cdktf/provider-aws/lib/backup-restore-testing-plan";
import { BackupRestoreTestingSelection } from "@cdktf/provider-aws/lib/backup-restore-testing-selection";
import { BackupSelection } from "@cdktf/provider-aws/lib/backup-selection";
import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import { BackupVaultLockConfiguration } from "@cdktf/provider-aws/lib/backup-vault-lock-configuration";
import { BackupVaultNotifications } from "@cdktf/provider-aws/lib/backup-vault-notifications";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { TerraformStack, type TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import {
  COLD_STORAGE_MINIMUM_DAYS,
  CONTINUOUS_RETENTION_MAX_DAYS,
  RESTORE_TEST_RESOURCE_TYPES,
  SCHEDULE_TIERS,
  type BackupConfig,
  type BackupPlanConfig,
} from "../../config/schema/backup";
import { restoreTestTypes, supportsColdStorage, type ProtectedResourceType } from "../../config/schema/backup-coverage";
import { partitionOf, servicePrincipal, type AccountScope } from "../core/aws";
import { BACKUP_PLAN_NAME, BACKUP_TAG_KEY } from "../core/backup-tag";
import type { Naming } from "../core/naming";
import { addRpoCheck, type RpoCheck, type RpoTarget } from "../rpo";
import { planRules, restoreTestCron, ruleWindowOverlaps, type RuleSpec } from "./schedules";

export { planRules, restoreTestCron, ruleWindowOverlaps, type RuleSpec } from "./schedules";

/** AWS managed policies of the AWS Backup service role (backups and restores, including S3). */
export const BACKUP_ROLE_MANAGED_POLICIES = [
  "service-role/AWSBackupServiceRolePolicyForBackup",
  "service-role/AWSBackupServiceRolePolicyForRestores",
  "AWSBackupServiceRolePolicyForS3Backup",
  "AWSBackupServiceRolePolicyForS3Restore",
] as const;

/**
 * Vault events that signal a failure and are still emitted (AWS lists BACKUP_JOB_FAILED as deprecated; backup
 * job failures come through the EventBridge rule instead).
 */
export const VAULT_FAILURE_EVENTS = ["COPY_JOB_FAILED", "S3_BACKUP_OBJECT_FAILED", "S3_RESTORE_OBJECT_FAILED"] as const;

/** EventBridge detail types and states that alert. */
export const FAILED_JOB_DETAIL_TYPES = ["Backup Job State Change", "Copy Job State Change", "Restore Job State Change"] as const;
export const FAILED_JOB_STATES = ["FAILED", "ABORTED", "EXPIRED"] as const;

/** Restore tests pick the newest recovery point of this many past days. */
export const RESTORE_TEST_SELECTION_WINDOW_DAYS = 7;
/** A scheduled restore test that has not started within this many hours is skipped. */
export const RESTORE_TEST_START_WINDOW_HOURS = 24;
/** Resource types restored into the data subnet group (they would otherwise need a default VPC). */
const SUBNET_GROUP_RESTORE_TYPES = new Set(["Aurora", "RDS", "DocumentDB"]);

/** Tags put on every recovery point, so a copy in the DR vault still says where it came from. */
export const RECOVERY_POINT_PLAN_TAG = "platform:backup-plan";
export const RECOVERY_POINT_TIER_TAG = "platform:backup-tier";

/** Name of the environment's vault, or of its disaster-recovery vault (`backupVaultName(naming, "dr")`). */
export function backupVaultName(naming: Naming, ...suffix: string[]): string {
  return naming.name("backup-vault", "backup", ...suffix);
}

export interface DisasterRecoveryTarget {
  /** AWS provider of the DR region (an aliased provider from `awsProvider()`). */
  readonly provider: TerraformProvider;
  readonly region: string;
  /** Backup key in the DR region (constructs/kms RegionalBackupKey). */
  readonly key: KmsKey;
}

export interface CopyAccountTarget {
  readonly id: string;
  readonly region: string;
  readonly vaultName: string;
}

export interface BackupProps {
  readonly naming: Naming;
  readonly account: AccountScope;
  /** Plans by name (the `platform:backup` tag value); `default` is the plan of untagged configuration. */
  readonly plans: Readonly<Record<string, BackupPlanConfig>>;
  /** Key of the primary vault (PlatformKeys `backup`). */
  readonly vaultKey: KmsKey;
  /** SNS topic backup failures are published to (constructs/alerts-topic). */
  readonly alertsTopicArn: string;
  /**
   * Second vault in another region, the destination of tiers with `copy: true`.
   * @default none — tiers that copy need it or `copyAccount`
   */
  readonly disasterRecovery?: DisasterRecoveryTarget;
  /**
   * Another account's vault, also a destination of tiers with `copy: true` (its vault access policy must allow
   * this account, and keys of copied resources must be shared with it).
   * @default none
   */
  readonly copyAccount?: CopyAccountTarget;
  /**
   * Vault lock of both vaults; every retention of every plan must lie inside its range.
   * @default no lock
   */
  readonly vaultLock?: BackupConfig["vaultLock"];
  /**
   * Tags a resource must carry besides `platform:backup` to be selected (e.g. `{ Environment: "prod" }`), so
   * environments sharing an account and region select only their own resources.
   * @default {} — the plan tag alone
   */
  readonly selectionConditions?: Readonly<Record<string, string>>;
  /**
   * DB subnet group restore tests restore Aurora, RDS and DocumentDB into.
   * @default none — AWS Backup infers the default VPC, which production accounts often do not have
   */
  readonly restoreSubnetGroupName?: string;
  /**
   * Per plan name, the AWS Backup resource types of the resources in this stack the plan selects
   * (config/schema/backup-coverage.ts `protectedResourceTypes`). Restore tests select only these types (the listed
   * ones, or all of them when the plan lists none), and cold-storage transitions are emitted only for plans protecting
   * a type that supports them.
   * @default unknown: restore tests for the types the plan lists; cold-storage transitions as configured
   */
  readonly protectedResourceTypes?: Readonly<Record<string, readonly ProtectedResourceType[]>>;
  /**
   * `lifecycle.prevent_destroy` on the vaults (and never `force_destroy`).
   * @default true — development opts out
   */
  readonly protect?: boolean;
  /**
   * Config key the plans come from, for RPO check messages.
   * @default "backup"
   */
  readonly configKey?: string;
}

export interface PlanResources {
  readonly plan: BackupPlan;
  readonly selection: BackupSelection;
  readonly rules: readonly RuleSpec[];
  readonly restoreTesting?: BackupRestoreTestingPlan;
}

export class Backup extends Construct {
  readonly vault: BackupVault;
  readonly drVault?: BackupVault;
  readonly role: IamRole;
  readonly plans: ReadonlyMap<string, PlanResources>;
  readonly failureRule: CloudwatchEventRule;
  readonly rpoTargets: readonly RpoTarget[];
  /** The synth-time RPO check registered on the stack. */
  readonly rpoCheck: RpoCheck;
  private readonly naming: Naming;

  constructor(scope: Construct, id: string, props: BackupProps) {
    super(scope, id);
    validateBackupProps(id, props);
    const { naming, account } = props;
    this.naming = naming;
    const protect = props.protect ?? true;
    const lock = props.vaultLock?.enabled ? props.vaultLock : undefined;
    const configKey = props.configKey ?? "backup";

    this.vault = new BackupVault(this, "vault", {
      name: backupVaultName(naming),
      kmsKeyArn: props.vaultKey.arn,
      forceDestroy: false,
      lifecycle: { preventDestroy: protect },
    });
    if (lock) this.lockVault("vault-lock", this.vault, lock);

    const dr = props.disasterRecovery;
    if (dr) {
      this.drVault = new BackupVault(this, "dr-vault", {
        provider: dr.provider,
        name: backupVaultName(naming, "dr"),
        kmsKeyArn: dr.key.arn,
        forceDestroy: false,
        lifecycle: { preventDestroy: protect },
      });
      if (lock) this.lockVault("dr-vault-lock", this.drVault, lock, dr.provider);
    }
    const copyDestinations = [
      ...(this.drVault ? [this.drVault.arn] : []),
      ...(props.copyAccount ? [`arn:${partitionOf(props.copyAccount.region)}:backup:${props.copyAccount.region}:${props.copyAccount.id}:backup-vault:${props.copyAccount.vaultName}`] : []),
    ];

    const trust = new DataAwsIamPolicyDocument(this, "role-trust", {
      statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: [servicePrincipal("backup")] }] }],
    });
    this.role = new IamRole(this, "role", {
      name: naming.name("iam-role", "backup"),
      description: `AWS Backup: backups, copies, restores and restore tests of ${naming.prefix}`,
      assumeRolePolicy: trust.json,
    });
    for (const policy of BACKUP_ROLE_MANAGED_POLICIES) {
      new IamRolePolicyAttachment(this, `role-${policy.replace(/^service-role\//, "").replace(/^AWSBackupServiceRolePolicyFor/, "").toLowerCase()}`, {
        role: this.role.name,
        policyArn: `arn:${partitionOf(account.region)}:iam::aws:policy/${policy}`,
      });
    }

    const environmentConditions = Object.entries(props.selectionConditions ?? {}).map(([key, value]) => ({ key: `aws:ResourceTag/${key}`, value }));
    const plans = new Map<string, PlanResources>();
    const protectedTypes = (plan: string) => (props.protectedResourceTypes ? new Set(props.protectedResourceTypes[plan] ?? []) : undefined);
    for (const [planName, policy] of Object.entries(props.plans).sort(([a], [b]) => a.localeCompare(b))) {
      const types = protectedTypes(planName);
      const rules = planRules(policy, types === undefined || supportsColdStorage(types));
      const plan = new BackupPlan(this, `plan-${planName}`, {
        name: naming.name("backup-plan", planName),
        rule: rules.map((rule) => this.planRule(planName, policy, rule, copyDestinations)),
      });
      const planConditions = [{ key: `aws:ResourceTag/${BACKUP_TAG_KEY}`, value: planName }, ...environmentConditions];
      const selection = new BackupSelection(this, `selection-${planName}`, {
        name: naming.name("backup-selection", planName),
        planId: plan.id,
        iamRoleArn: this.role.arn,
        // Tag conditions are ANDed (selection_tag entries would be ORed): the plan tag and the environment's tags.
        resources: ["*"],
        condition: [{ stringEquals: planConditions }],
      });
      const testTypes = types === undefined ? [...(policy.restoreTesting.resourceTypes ?? [])] : restoreTestTypes(policy, types);
      const restoreTesting = this.restoreTesting(planName, policy, testTypes, planConditions, props.restoreSubnetGroupName);
      plans.set(planName, { plan, selection, rules, ...(restoreTesting ? { restoreTesting } : {}) });
    }
    this.plans = plans;

    new BackupVaultNotifications(this, "vault-notifications", {
      backupVaultName: this.vault.name,
      snsTopicArn: props.alertsTopicArn,
      backupVaultEvents: [...VAULT_FAILURE_EVENTS],
    });
    this.failureRule = new CloudwatchEventRule(this, "failure-rule", {
      name: naming.name("event-rule", "backup-failures"),
      description: `Failed, aborted or expired AWS Backup jobs (${naming.prefix}) to the alerts topic`,
      eventPattern: JSON.stringify({
        source: ["aws.backup"],
        "detail-type": [...FAILED_JOB_DETAIL_TYPES],
        detail: { state: [...FAILED_JOB_STATES] },
      }),
    });
    new CloudwatchEventTarget(this, "failure-target", {
      rule: this.failureRule.name,
      targetId: "alerts-topic",
      arn: props.alertsTopicArn,
    });

    this.rpoTargets = Object.entries(props.plans).map(([planName, policy]) => ({
      plan: planName,
      rpoMinutes: policy.rpo,
      overrides: Object.fromEntries(Object.entries(policy.rpoOverrides).filter(([, minutes]) => minutes !== undefined)),
      pointInTime: policy.continuous.enabled,
      configKey: `${configKey}.plans.${planName}`,
    }));
    this.rpoCheck = addRpoCheck(TerraformStack.of(this), () => this.rpoTargets);
  }

  private lockVault(id: string, vault: BackupVault, lock: BackupConfig["vaultLock"], provider?: TerraformProvider): void {
    new BackupVaultLockConfiguration(this, id, {
      ...(provider ? { provider } : {}),
      backupVaultName: vault.name,
      minRetentionDays: lock.minRetentionDays,
      maxRetentionDays: lock.maxRetentionDays,
      // Setting changeable_for_days is what makes a lock a compliance lock (immutable after the grace period).
      ...(lock.mode === "compliance" ? { changeableForDays: lock.changeableForDays } : {}),
    });
  }

  private planRule(planName: string, policy: BackupPlanConfig, rule: RuleSpec, copyDestinations: readonly string[]): BackupPlanRule {
    const lifecycle: BackupPlanRuleLifecycle = {
      deleteAfter: rule.deleteAfterDays,
      ...(rule.coldStorageAfterDays !== undefined ? { coldStorageAfter: rule.coldStorageAfterDays, optInToArchiveForSupportedResources: true } : {}),
    };
    return {
      ruleName: rule.name,
      targetVaultName: this.vault.name,
      schedule: rule.schedule,
      scheduleExpressionTimezone: policy.timezone,
      startWindow: policy.startWindow,
      completionWindow: policy.completionWindow,
      enableContinuousBackup: rule.continuous,
      lifecycle,
      recoveryPointTags: { [RECOVERY_POINT_PLAN_TAG]: planName, [RECOVERY_POINT_TIER_TAG]: rule.name },
      ...(rule.copy ? { copyAction: copyDestinations.map((destinationVaultArn) => ({ destinationVaultArn, lifecycle })) } : {}),
    };
  }

  private restoreTesting(
    planName: string,
    policy: BackupPlanConfig,
    resourceTypes: readonly string[],
    conditions: readonly { key: string; value: string }[],
    subnetGroup: string | undefined,
  ): BackupRestoreTestingPlan | undefined {
    const schedule = restoreTestCron(policy.restoreTesting.frequency, policy.restoreTesting.at, policy.restoreTesting.schedule);
    // Nothing of a restore-testable type in this stack: no restore-testing plan (it would have no selection).
    if (!schedule || resourceTypes.length === 0) return undefined;
    const naming = this.naming;
    const testingPlan = new BackupRestoreTestingPlan(this, `restore-testing-${planName}`, {
      name: naming.underscored("backup-restore-testing", planName, "restore-tests"),
      scheduleExpression: schedule,
      scheduleExpressionTimezone: policy.restoreTesting.timezone ?? policy.timezone,
      startWindowHours: RESTORE_TEST_START_WINDOW_HOURS,
      recoveryPointSelection: [
        {
          algorithm: "LATEST_WITHIN_WINDOW",
          includeVaults: [this.vault.arn],
          recoveryPointTypes: policy.continuous.enabled ? ["CONTINUOUS", "SNAPSHOT"] : ["SNAPSHOT"],
          selectionWindowDays: RESTORE_TEST_SELECTION_WINDOW_DAYS,
        },
      ],
    });
    for (const type of resourceTypes) {
      new BackupRestoreTestingSelection(this, `restore-testing-${planName}-${type.toLowerCase()}`, {
        name: naming.underscored("backup-restore-testing", planName, type.toLowerCase()),
        restoreTestingPlanName: testingPlan.name,
        protectedResourceType: type,
        iamRoleArn: this.role.arn,
        protectedResourceArns: ["*"],
        protectedResourceConditions: [{ stringEquals: conditions.map((condition) => ({ ...condition })) }],
        validationWindowHours: policy.restoreTesting.validationWindowHours,
        ...(subnetGroup && SUBNET_GROUP_RESTORE_TYPES.has(type) ? { restoreMetadataOverrides: { dbsubnetgroupname: subnetGroup } } : {}),
      });
    }
    return testingPlan;
  }

}

/** Checks the props before anything is created; every message names the plan, tier and allowed range. */
export function validateBackupProps(id: string, props: BackupProps): void {
  const fail = (message: string): never => {
    throw new Error(`Backup ${id}: ${message}`);
  };
  const planNames = Object.keys(props.plans);
  if (planNames.length === 0) fail("at least one plan is required (backup.plans.default)");
  const lock = props.vaultLock?.enabled ? props.vaultLock : undefined;
  if (lock && lock.minRetentionDays > lock.maxRetentionDays) {
    fail(`vault lock minRetentionDays ${lock.minRetentionDays} exceeds maxRetentionDays ${lock.maxRetentionDays}`);
  }
  if (lock && lock.mode === "compliance" && lock.changeableForDays < 3) {
    fail(`a compliance vault lock needs changeableForDays >= 3 (grace period before it becomes immutable), got ${lock.changeableForDays}`);
  }
  if (props.disasterRecovery && props.disasterRecovery.region === props.account.region) {
    fail(`the disaster-recovery region must differ from the home region ${props.account.region}`);
  }
  for (const [name, plan] of Object.entries(props.plans)) {
    if (!BACKUP_PLAN_NAME.test(name)) fail(`plan name "${name}" is not allowed: lowercase letters, digits and '-', starting with a letter, at most 40 characters`);
    const rules = planRules(plan);
    if (!rules.some((rule) => !rule.continuous)) fail(`plan ${name} has no enabled schedule tier (${SCHEDULE_TIERS.join(", ")})`);
    if (plan.continuous.enabled && plan.continuous.retentionDays > CONTINUOUS_RETENTION_MAX_DAYS) {
      fail(`plan ${name}: continuous.retentionDays ${plan.continuous.retentionDays} exceeds ${CONTINUOUS_RETENTION_MAX_DAYS} (AWS Backup's maximum for point-in-time recovery)`);
    }
    for (const rule of rules) {
      if (rule.coldStorageAfterDays !== undefined && rule.deleteAfterDays < rule.coldStorageAfterDays + COLD_STORAGE_MINIMUM_DAYS) {
        fail(`plan ${name}: ${rule.name}.retentionDays ${rule.deleteAfterDays} must be at least coldStorageAfterDays + ${COLD_STORAGE_MINIMUM_DAYS} = ${rule.coldStorageAfterDays + COLD_STORAGE_MINIMUM_DAYS}`);
      }
      if (rule.copy && !props.disasterRecovery && !props.copyAccount) {
        fail(`plan ${name}: ${rule.name}.copy is true but there is no copy destination (backup.copy.region or backup.copy.account)`);
      }
      if (lock && (rule.deleteAfterDays < lock.minRetentionDays || rule.deleteAfterDays > lock.maxRetentionDays)) {
        fail(`plan ${name}: ${rule.name} keeps recovery points ${rule.deleteAfterDays} days, outside the vault lock range ${lock.minRetentionDays}-${lock.maxRetentionDays} (backup.vaultLock); the locked vault would reject them`);
      }
    }
    if (plan.startWindow < 60) fail(`plan ${name}: startWindow must be at least 60 minutes, got ${plan.startWindow}`);
    if (plan.completionWindow < plan.startWindow + 60) fail(`plan ${name}: completionWindow must be at least startWindow + 60 minutes, got ${plan.completionWindow}`);
    for (const type of plan.restoreTesting.resourceTypes ?? []) {
      if (!(RESTORE_TEST_RESOURCE_TYPES as readonly string[]).includes(type)) fail(`plan ${name}: restore testing resource type "${type}" is not one of ${RESTORE_TEST_RESOURCE_TYPES.join(", ")}`);
    }
    for (const overlap of ruleWindowOverlaps(rules, plan.startWindow)) {
      fail(
        `plan ${name}: the ${overlap.first} and ${overlap.second} rules may start within the same ${plan.startWindow}-minute start window (first on ${overlap.at}); ` +
          "AWS Backup runs only the rule with the longer retention when rule windows overlap, so the other's recovery points and copies would not exist",
      );
    }
  }
}
