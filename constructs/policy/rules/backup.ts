/**
 * Backup and protection rules: AWS Backup vaults, plans, selections and vault lock; prevent_destroy on every
 * stateful resource.
 */
import { ruleWindowOverlaps } from "../../backup/schedules";
import { CronError } from "../../rpo/cron";
import { type Block, blocks, describe, dig, isSet, isTrue, literal, numberOf, one, type StackModel, strings } from "../model";
import { STATEFUL_TYPES } from "../stateful";
import type { Rule } from "../types";
import { each, isReplica, namedBy, problems } from "./support";
import { isStateOrBackupBucket } from "./storage";

/** Shortest retention of a scheduled recovery point in production (ours): five weekly cycles. */
export const MIN_BACKUP_DELETE_AFTER_DAYS = 35;

/**
 * Example ARN per resource type (region, account and name as `x`): a selection's wildcard ARN covers the type
 * when it matches, e.g. `arn:aws:rds:*:*:cluster:*` covers every Aurora and DocumentDB cluster.
 */
const EXAMPLE_ARNS: Readonly<Record<string, string>> = {
  aws_rds_cluster: "arn:aws:rds:x:x:cluster:x",
  aws_docdb_cluster: "arn:aws:rds:x:x:cluster:x",
  aws_db_instance: "arn:aws:rds:x:x:db:x",
  aws_s3_bucket: "arn:aws:s3:::x",
  aws_efs_file_system: "arn:aws:elasticfilesystem:x:x:file-system/x",
  aws_dynamodb_table: "arn:aws:dynamodb:x:x:table/x",
};

/** Buckets that are the destination of a replication rule: they are themselves the off-site copy. */
function replicaBuckets(model: StackModel): Set<string> {
  const destinations = model
    .resources("aws_s3_bucket_replication_configuration")
    .flatMap((config) => blocks(config.body.rule).map((rule) => dig(rule, "destination", "bucket")));
  return new Set(model.refsIn(destinations).filter((block) => block.type === "aws_s3_bucket").map((block) => block.address));
}

/** Resources a production backup plan must cover. */
export function backupTargets(model: StackModel): Block[] {
  const replicas = replicaBuckets(model);
  return [
    ...model.resources("aws_rds_cluster", "aws_docdb_cluster", "aws_efs_file_system", "aws_dynamodb_table"),
    ...model.resources("aws_db_instance").filter((db) => !isReplica(db)),
    ...model.resources("aws_s3_bucket").filter((bucket) => isStateOrBackupBucket(bucket) && !replicas.has(bucket.address)),
  ];
}

function wildcardMatches(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return regex.test(value);
}

/** Whether a selection covers a resource: by reference, by ARN pattern (with its conditions) or by tag. */
export function selectionCovers(model: StackModel, selection: Block, target: Block, tags: Readonly<Record<string, string>>): boolean {
  if (model.refersTo(selection.body.resources, target)) return true;
  const conditions = blocks(selection.body.condition).flatMap((condition) => blocks(condition.string_equals));
  const conditionsHold = conditions.every((condition) => tags[String(condition.key).replace(/^aws:ResourceTag\//, "")] === condition.value);
  const example = EXAMPLE_ARNS[target.type];
  const byArn = strings(selection.body.resources).some((resource) => resource === "*" || (example !== undefined && resource.includes("*") && wildcardMatches(resource, example)));
  if (byArn && conditionsHold) return true;
  return blocks(selection.body.selection_tag).some((tag) => String(tag.type).toUpperCase() === "STRINGEQUALS" && tags[String(tag.key)] === tag.value);
}

function planRules(plan: Block): ReturnType<typeof blocks> {
  return blocks(plan.body.rule);
}

/** AWS Backup's start window when a rule sets none (aws_backup_plan `start_window`, minutes). */
export const DEFAULT_START_WINDOW_MINUTES = 60;

/** Plans whose selections (in this stack or a peer) cover `target`. */
function coveringPlans(model: StackModel, peers: readonly StackModel[], target: Block): Block[] {
  const tags = model.tagsOf(target);
  const plans: Block[] = [];
  for (const owner of [model, ...peers]) {
    for (const selection of owner.resources("aws_backup_selection")) {
      if (!selectionCovers(owner, selection, target, tags)) continue;
      plans.push(...owner.resources("aws_backup_plan").filter((plan) => owner.refersTo(selection.body.plan_id, plan)));
    }
  }
  return plans;
}

export const BACKUP_RULES: readonly Rule[] = [
  {
    id: "BACKUP-VAULT-CMK",
    title: "Backup vaults are encrypted with a customer-managed key",
    severity: "medium",
    scope: "all",
    upstream: "CKV_AWS_166",
    fix: "Set kms_key_arn = keys.backup.arn (the DR vault: a key in the DR region).",
    check: ({ model }) => each(model.resources("aws_backup_vault"), (vault) => (isSet(vault.body.kms_key_arn) ? undefined : "kms_key_arn is not set")),
  },
  {
    id: "BACKUP-COVERAGE",
    title: "Every production database and state/backup bucket (replicas excepted) is selected by a backup plan",
    severity: "high",
    scope: "prod",
    upstream: "CKV2_AWS_8/9",
    fix: "Apply the backup selection tag to the resource (or list it in an aws_backup_selection of the environment's plan).",
    check: ({ model, peers }) => {
      const selections = [...model.resources("aws_backup_selection").map((selection) => ({ model, selection })), ...peers.flatMap((peer) => peer.resources("aws_backup_selection").map((selection) => ({ model: peer, selection })))];
      return each(backupTargets(model), (target) => {
        const tags = model.tagsOf(target);
        // A peer stack's selection can only cover this resource by tag or ARN pattern, never by reference.
        return selections.some(({ model: owner, selection }) => selectionCovers(owner, selection, target, tags))
          ? undefined
          : "no aws_backup_selection covers it (by reference, ARN pattern or tag)";
      });
    },
  },
  {
    id: "BACKUP-PLAN-RETENTION",
    title: "Production backup plans are scheduled, retained, continuous and copied off-region",
    severity: "high",
    scope: "prod",
    upstream: "custom",
    fix: `Every scheduled rule: a schedule and lifecycle.delete_after >= ${MIN_BACKUP_DELETE_AFTER_DAYS}; one rule with enable_continuous_backup (point-in-time recovery); one rule with a copy_action to the DR vault.`,
    check: ({ model }) =>
      each(model.resources("aws_backup_plan"), (plan) => {
        const rules = planRules(plan);
        const scheduled = rules.filter((rule) => !isTrue(rule.enable_continuous_backup));
        return [
          ...scheduled.flatMap((rule) => {
            const deleteAfter = numberOf(dig(rule, "lifecycle", "delete_after"));
            return problems(
              !isSet(rule.schedule) && `rule ${describe(rule.rule_name)} has no schedule`,
              (deleteAfter === undefined || deleteAfter < MIN_BACKUP_DELETE_AFTER_DAYS) && `rule ${describe(rule.rule_name)} deletes recovery points after ${describe(deleteAfter)} days`,
            );
          }),
          ...problems(
            !rules.some((rule) => isTrue(rule.enable_continuous_backup)) && "no rule has enable_continuous_backup (no point-in-time recovery)",
            !rules.some((rule) => blocks(rule.copy_action).some((copy) => isSet(copy.destination_vault_arn))) && "no rule copies recovery points to another region or account",
          ),
        ];
      }),
  },
  {
    id: "BACKUP-VAULT-LOCK",
    title: "Production backup vaults are locked consistently with their plans",
    severity: "medium",
    scope: "prod",
    upstream: "custom",
    fix: "Add aws_backup_vault_lock_configuration with min_retention_days <= the shortest delete_after of rules targeting the vault, and changeable_for_days (compliance mode).",
    check: ({ model }) =>
      each(model.resources("aws_backup_vault"), (vault) => {
        const locks = namedBy(model, model.resources("aws_backup_vault_lock_configuration"), "backup_vault_name", vault, "name");
        const lock = locks[0];
        if (!lock) return "no aws_backup_vault_lock_configuration";
        const minimum = numberOf(lock.body.min_retention_days);
        const shortest = Math.min(
          ...model
            .resources("aws_backup_plan")
            .flatMap(planRules)
            .filter((rule) => model.refersTo(rule.target_vault_name, vault) || (literal(vault.body.name) !== undefined && rule.target_vault_name === vault.body.name))
            .map((rule) => numberOf(dig(rule, "lifecycle", "delete_after")))
            .filter((days): days is number => days !== undefined),
        );
        return problems(
          minimum === undefined && "min_retention_days is not set",
          minimum !== undefined && Number.isFinite(shortest) && minimum > shortest && `min_retention_days ${minimum} exceeds the shortest delete_after ${shortest} of rules targeting the vault (those backup jobs fail)`,
          !isSet(lock.body.changeable_for_days) && "changeable_for_days is not set (governance mode: the lock can be removed)",
        );
      }),
  },
  {
    id: "BACKUP-PITR-RETENTION",
    title: "Databases under an AWS Backup continuous rule keep exactly the rule's point-in-time retention",
    severity: "high",
    scope: "all",
    upstream: "custom (terraform-provider-aws#33465)",
    fix: "Derive backup_retention_period from the covering plan's continuous rule (lifecycle.delete_after): AWS Backup manages the database's automated backups then, and a different value fails later applies (\"The BackupRetentionPeriod can be blank, or you can use the current value\").",
    check: ({ model, peers }) =>
      each([...model.resources("aws_rds_cluster"), ...model.resources("aws_db_instance").filter((db) => !isReplica(db))], (db) => {
        const retention = numberOf(db.body.backup_retention_period) ?? 1;
        return coveringPlans(model, peers, db).flatMap((plan) =>
          planRules(plan)
            .filter((rule) => isTrue(rule.enable_continuous_backup))
            .flatMap((rule) => {
              const continuous = numberOf(dig(rule, "lifecycle", "delete_after"));
              return continuous !== undefined && continuous !== retention
                ? [`backup_retention_period is ${retention} but plan ${plan.path} rule ${describe(rule.rule_name)} keeps continuous backups ${continuous} days (AWS Backup manages this database's automated backups)`]
                : [];
            }),
        );
      }),
  },
  {
    id: "BACKUP-RULE-OVERLAP",
    title: "No two rules of a backup plan start in overlapping windows",
    severity: "high",
    scope: "all",
    upstream: "custom (AWS Backup guide, plan-options-and-configuration)",
    fix: "Give every rule of the plan its own start time, at least start_window minutes from every other rule's (config: backup.plans.<plan>.<tier>.at and continuous.at); AWS Backup runs only the rule with the longer retention when rule windows overlap.",
    check: ({ model }) =>
      each(model.resources("aws_backup_plan"), (plan) => {
        const rules = planRules(plan).filter((rule) => isSet(rule.schedule));
        const zones = new Set(rules.map((rule) => literal(rule.schedule_expression_timezone) ?? "UTC"));
        const windows = new Set(rules.map((rule) => numberOf(rule.start_window) ?? DEFAULT_START_WINDOW_MINUTES));
        const schedules = rules.map((rule) => ({ name: String(rule.rule_name), schedule: literal(rule.schedule) }));
        if (schedules.some((rule) => rule.schedule === undefined)) return "a rule's schedule is not a literal cron expression; its window overlap cannot be evaluated";
        if (zones.size > 1) return `rules use different time zones (${[...zones].join(", ")}); their windows cannot be compared`;
        try {
          return ruleWindowOverlaps(schedules as { name: string; schedule: string }[], Math.max(...windows)).map(
            (overlap) => `rules ${overlap.first} and ${overlap.second} may start within the same start window (first on ${overlap.at}); AWS Backup runs only the one with the longer retention`,
          );
        } catch (error) {
          if (error instanceof CronError) return `a schedule cannot be evaluated: ${error.message}`;
          throw error;
        }
      }),
  },
  {
    id: "STATEFUL-PREVENT-DESTROY",
    title: "Production stateful resources have prevent_destroy",
    severity: "high",
    scope: "prod",
    upstream: "custom",
    fix: "Set lifecycle.prevent_destroy = true (constructs do so when protectsState() is true); buckets must not set force_destroy.",
    check: ({ model }) =>
      each(model.resources(...Object.keys(STATEFUL_TYPES)), (block) =>
        problems(
          !isTrue(one(block.body.lifecycle)?.prevent_destroy) && `lifecycle.prevent_destroy is not set: a destroy loses ${STATEFUL_TYPES[block.type]?.holds}`,
          block.type === "aws_s3_bucket" && isTrue(block.body.force_destroy) && "force_destroy is true: a destroy deletes every object",
        ),
      ),
  },
];
