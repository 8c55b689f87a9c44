/**
 * The synth-time recovery point objective check. For every stateful resource of a stack (classified by Terraform
 * type, see stateful-kinds.ts) it computes the effective RPO the configuration gives it and fails synthesis when
 * that exceeds the target of its backup plan, or when nothing protects the resource at all.
 *
 * It is data-driven: it reads the stack's own `aws_backup_plan` and `aws_backup_selection` resources (whoever
 * created them) and each resource's tags, so it also checks resources that other constructs add later.
 *
 * Effective RPO of a resource = the shortest of
 * - the interval of every scheduled rule of every plan whose selection matches it (tags, ARN wildcard or a direct
 *   reference; evaluated from the rule's cron expression, see cron.ts);
 * - continuous backup (point-in-time recovery) where a matching rule enables it and AWS Backup supports it for the
 *   type (Aurora, RDS, S3), or — where AWS Backup cannot, but the plan asks for point-in-time recovery — the
 *   service's own (DocumentDB, DynamoDB);
 * - the service's own snapshots for types AWS Backup cannot protect (ElastiCache daily, OpenSearch hourly).
 *
 * Resources carry the plan tag `platform:backup = <plan>` (constructs/core/backup-tag.ts). A resource that is
 * deliberately not backed up carries `platform:backup-exempt = <reason>` instead and is listed in the runbook.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Aspects, DefaultTokenResolver, StringConcat, TerraformProvider, TerraformResource, Tokenization, type IAspect, type TerraformStack } from "cdktf";
import type { IConstruct, IValidation } from "constructs";
import { formatDuration, type DataClass } from "../../config/schema/backup";
import { BACKUP_TAG_KEY } from "../core/backup-tag";
import { CronError, scheduleIntervalMinutes } from "./cron";
import { statefulKind, type Attributes, type StatefulKind } from "./stateful-kinds";

export { STATEFUL_KINDS, statefulKind, type StatefulKind } from "./stateful-kinds";

/** Tag that exempts a resource from backup coverage; its value says why (at least 10 characters). */
export const BACKUP_EXEMPT_TAG_KEY = "platform:backup-exempt";
export const MIN_EXEMPTION_REASON_LENGTH = 10;

/** Tags that exempt a resource from backup coverage, with the reason recorded on the resource itself. */
export function backupExemption(reason: string): Record<string, string> {
  if (reason.trim().length < MIN_EXEMPTION_REASON_LENGTH || !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u.test(reason) || reason.length > 256) {
    throw new Error(`backup exemption reason "${reason}" must be ${MIN_EXEMPTION_REASON_LENGTH}-256 characters of letters, digits, spaces and _.:/=+-@ only (it is a tag value: no commas)`);
  }
  return { [BACKUP_EXEMPT_TAG_KEY]: reason };
}

/** The objective a plan promises, and where it is configured (for messages). */
export interface RpoTarget {
  /** Plan name: the value of the `platform:backup` tag. */
  readonly plan: string;
  readonly rpoMinutes: number;
  readonly overrides: Partial<Record<DataClass, number>>;
  /** Whether the plan asks for point-in-time recovery (`continuous.enabled`). */
  readonly pointInTime: boolean;
  /** Config key of the plan, e.g. `backup.plans.default`. */
  readonly configKey: string;
}

/** One way a resource can be restored, and how old its newest point can be. */
export interface Protection {
  readonly minutes: number;
  readonly how: string;
  /** Where it is stored: AWS Backup vault (copied per plan) or the service itself (same region). */
  readonly where: "vault" | "service";
}

export interface Assessment {
  /** Construct path, e.g. `prod-infra/postgres/cluster`. */
  readonly path: string;
  /** Terraform address, e.g. `aws_rds_cluster.postgres_cluster_1A2B3C4D`. */
  readonly address: string;
  readonly type: string;
  readonly kind: StatefulKind;
  /** Physical name when it is known at synth time. */
  readonly name?: string;
  /** Plan named by the resource's tag. */
  readonly planTag?: string;
  /** Plans whose selection matches the resource. */
  readonly plans: readonly string[];
  readonly protections: readonly Protection[];
  /** Shortest protection, undefined when unprotected. */
  readonly effectiveRpoMinutes?: number;
  readonly targetMinutes?: number;
  /** Config key of the target, e.g. `backup.plans.default.rpo`. */
  readonly targetKey?: string;
  /** Reason of an exemption tag. */
  readonly exemption?: string;
  /** Everything wrong; empty when the resource meets its objective. */
  readonly problems: readonly string[];
}

interface RuleInfo {
  readonly name: string;
  readonly schedule?: string;
  readonly timezone?: string;
  readonly continuous: boolean;
}

interface PlanInfo {
  readonly name: string;
  readonly idToken: string;
  readonly rules: readonly RuleInfo[];
}

interface SelectionInfo {
  readonly name: string;
  readonly plan?: PlanInfo;
  readonly resources: readonly string[];
  readonly notResources: readonly string[];
  readonly conditions: readonly { readonly test: string; readonly key: string; readonly value: string }[];
  readonly tags: readonly { readonly key: string; readonly value: string }[];
}

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** Resolves tokens to their Terraform expressions (`${aws_backup_plan.x.id}`), as synthesis does. */
function resolve(stack: TerraformStack, value: unknown): unknown {
  return Tokenization.resolve(value, { scope: stack, preparing: false, resolver: RESOLVER });
}

function attributesOf(stack: TerraformStack, resource: TerraformResource): Attributes {
  const json = resolve(stack, resource.toTerraform()) as { resource?: Record<string, Record<string, Attributes>> };
  return json.resource?.[resource.terraformResourceType]?.[resource.friendlyUniqueId] ?? {};
}

function list(value: unknown): Attributes[] {
  if (Array.isArray(value)) return value.filter((item): item is Attributes => item !== null && typeof item === "object");
  return value !== null && typeof value === "object" ? [value as Attributes] : [];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function stringMap(value: unknown): Record<string, string> {
  if (value === null || typeof value !== "object") return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}

/** Tags a resource ends up with: its provider's default tags, then its own. */
function effectiveTags(stack: TerraformStack, resource: TerraformResource, attributes: Attributes): Record<string, string> {
  const provider = resource.provider ?? stack.node.findAll().find((node): node is AwsProvider => node instanceof AwsProvider && !node.alias);
  const defaults = provider instanceof AwsProvider ? list(resolve(stack, provider.defaultTagsInput)).map((block) => stringMap(block.tags)) : [];
  return Object.assign({}, ...defaults, stringMap(attributes.tags)) as Record<string, string>;
}

function wildcard(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return regex.test(value);
}

function stackResources(stack: TerraformStack): TerraformResource[] {
  return stack.node.findAll().filter((node: IConstruct): node is TerraformResource => TerraformResource.isTerraformResource(node) && !(node instanceof TerraformProvider));
}

function readPlans(stack: TerraformStack, resources: readonly TerraformResource[]): PlanInfo[] {
  return resources
    .filter((resource) => resource.terraformResourceType === "aws_backup_plan")
    .map((resource) => {
      const attributes = attributesOf(stack, resource);
      return {
        name: String(attributes.name ?? resource.node.path),
        idToken: `\${aws_backup_plan.${resource.friendlyUniqueId}.id}`,
        rules: list(attributes.rule).map((rule) => ({
          name: String(rule.rule_name ?? "?"),
          ...(typeof rule.schedule === "string" ? { schedule: rule.schedule } : {}),
          ...(typeof rule.schedule_expression_timezone === "string" ? { timezone: rule.schedule_expression_timezone } : {}),
          continuous: rule.enable_continuous_backup === true,
        })),
      };
    });
}

function readSelections(stack: TerraformStack, resources: readonly TerraformResource[], plans: readonly PlanInfo[]): SelectionInfo[] {
  return resources
    .filter((resource) => resource.terraformResourceType === "aws_backup_selection")
    .map((resource) => {
      const attributes = attributesOf(stack, resource);
      const conditions = list(attributes.condition).flatMap((condition) =>
        (["string_equals", "string_like", "string_not_equals", "string_not_like"] as const).flatMap((test) =>
          list(condition[test]).map((entry) => ({ test, key: String(entry.key), value: String(entry.value) })),
        ),
      );
      const plan = plans.find((candidate) => candidate.idToken === attributes.plan_id);
      return {
        name: String(attributes.name ?? resource.node.path),
        ...(plan ? { plan } : {}),
        resources: strings(attributes.resources),
        notResources: strings(attributes.not_resources),
        conditions,
        tags: list(attributes.selection_tag)
          .filter((tag) => String(tag.type).toUpperCase() === "STRINGEQUALS")
          .map((tag) => ({ key: String(tag.key), value: String(tag.value) })),
      };
    });
}

/** ARN shapes per type (with `*` for region, account and name), to evaluate wildcard selections. */
const ARN_SHAPES: Readonly<Record<string, string>> = {
  aws_rds_cluster: "arn:aws:rds:r:a:cluster:n",
  aws_docdb_cluster: "arn:aws:rds:r:a:cluster:n",
  aws_neptune_cluster: "arn:aws:rds:r:a:cluster:n",
  aws_db_instance: "arn:aws:rds:r:a:db:n",
  aws_s3_bucket: "arn:aws:s3:::n",
  aws_efs_file_system: "arn:aws:elasticfilesystem:r:a:file-system/n",
  aws_dynamodb_table: "arn:aws:dynamodb:r:a:table/n",
  aws_ebs_volume: "arn:aws:ec2:r:a:volume/n",
};

function selects(selection: SelectionInfo, resource: TerraformResource, tags: Readonly<Record<string, string>>): boolean {
  const reference = `${resource.terraformResourceType}.${resource.friendlyUniqueId}.`;
  if (selection.notResources.some((entry) => entry.includes(reference))) return false;
  const byReference = selection.resources.some((entry) => entry.includes(reference));
  const shape = ARN_SHAPES[resource.terraformResourceType];
  const byArn = selection.resources.some((entry) => entry === "*" || (shape !== undefined && entry.includes("*") && !entry.includes("${") && wildcard(entry, shape)));
  const conditionsHold = selection.conditions.every(({ test, key, value }) => {
    const actual = tags[key.replace(/^aws:ResourceTag\//, "")];
    switch (test) {
      case "string_equals": return actual === value;
      case "string_not_equals": return actual !== value;
      case "string_like": return actual !== undefined && wildcard(value, actual);
      default: return actual === undefined || !wildcard(value, actual);
    }
  });
  const byTag = selection.tags.some(({ key, value }) => tags[key] === value);
  return byReference || (byArn && conditionsHold) || byTag;
}

/** Buckets referenced (by `${aws_s3_bucket.<id>.…}` or by literal name) in `value`, as friendly unique ids or names. */
function bucketRefs(value: unknown): string[] {
  const text = typeof value === "string" ? value : JSON.stringify(value ?? "");
  const refs = [...text.matchAll(/\$\{aws_s3_bucket\.([^.}]+)\./g)].map((match) => match[1] as string);
  return refs.length > 0 ? refs : typeof value === "string" ? [value.replace(/^arn:[^:]+:s3:::/, "")] : [];
}

/**
 * Buckets whose role needs no backup of their own, found from the stack's other resources: replicas (the
 * destination of an S3 replication rule — they are the copy) and access-log buckets (the target of server access
 * logging; their objects expire by lifecycle). A bucket tagged with a backup plan is still checked as tagged.
 */
function derivedExemptions(stack: TerraformStack, resources: readonly TerraformResource[]): Map<string, string> {
  const buckets = resources.filter((resource) => resource.terraformResourceType === "aws_s3_bucket");
  const byRef = (ref: string) => buckets.find((bucket) => bucket.friendlyUniqueId === ref || attributesOf(stack, bucket).bucket === ref);
  const out = new Map<string, string>();
  for (const resource of resources) {
    if (resource.terraformResourceType === "aws_s3_bucket_replication_configuration") {
      const attributes = attributesOf(stack, resource);
      const source = bucketRefs(attributes.bucket).map(byRef).find(Boolean);
      for (const rule of list(attributes.rule)) {
        for (const destination of list(rule.destination)) {
          for (const replica of bucketRefs(destination.bucket).map(byRef)) {
            if (replica) out.set(replica.node.path, `replica of ${source?.node.path ?? "another bucket"} (S3 replication): it is the copy`);
          }
        }
      }
    } else if (resource.terraformResourceType === "aws_s3_bucket_logging") {
      for (const target of bucketRefs(attributesOf(stack, resource).target_bucket).map(byRef)) {
        if (target) out.set(target.node.path, "access-log bucket (server access logs, expired by lifecycle)");
      }
    }
  }
  return out;
}

/** Effective RPO assessment of every stateful resource of `stack` against the plans' targets. */
export function assessStack(stack: TerraformStack, targets: readonly RpoTarget[]): Assessment[] {
  const resources = stackResources(stack);
  const plans = readPlans(stack, resources);
  const selections = readSelections(stack, resources, plans);
  const derived = derivedExemptions(stack, resources);
  const targetByPlan = new Map(targets.map((target) => [target.plan, target]));
  const defaultTarget = targets.find((target) => target.plan === "default") ?? targets[0];
  const assessments: Assessment[] = [];

  for (const resource of resources) {
    const kind = statefulKind(resource.terraformResourceType);
    if (!kind) continue;
    const attributes = attributesOf(stack, resource);
    if (resource.terraformResourceType === "aws_db_instance" && attributes.replicate_source_db !== undefined) continue; // a read replica restores from its source
    const tags = effectiveTags(stack, resource, attributes);
    const address = `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
    const path = resource.node.path;
    const name = kind.identifier(attributes);
    const planTag = tags[BACKUP_TAG_KEY];
    const exemption = tags[BACKUP_EXEMPT_TAG_KEY] ?? (tags[BACKUP_TAG_KEY] === undefined ? derived.get(resource.node.path) : undefined);
    const base = { path, address, type: resource.terraformResourceType, kind, ...(name ? { name } : {}), ...(planTag ? { planTag } : {}) };

    if (exemption !== undefined || kind.notBackedUp) {
      const problems = exemption !== undefined && planTag !== undefined
        ? [`${path} (${resource.terraformResourceType}) carries both ${BACKUP_TAG_KEY}=${planTag} and ${BACKUP_EXEMPT_TAG_KEY}; keep one`]
        : [];
      assessments.push({ ...base, plans: [], protections: [], exemption: exemption ?? kind.notBackedUp, problems });
      continue;
    }

    // AWS Backup ignores types it cannot back up, even when a selection's tags match them.
    const matching = kind.awsBackup ? selections.filter((selection) => selection.plan && selects(selection, resource, tags)) : [];
    const planNames = [...new Set(matching.map((selection) => selection.plan?.name as string))];
    const protections: Protection[] = [];
    const problems: string[] = [];
    const target = planTag !== undefined ? targetByPlan.get(planTag) : defaultTarget;

    for (const selection of matching) {
      for (const rule of selection.plan?.rules ?? []) {
        if (rule.continuous && kind.continuousMinutes !== undefined) {
          protections.push({ minutes: kind.continuousMinutes, how: `continuous backup (rule "${rule.name}" of ${selection.plan?.name})`, where: "vault" });
        } else if (rule.schedule !== undefined) {
          try {
            protections.push({ minutes: scheduleIntervalMinutes(rule.schedule, rule.timezone), how: `rule "${rule.name}" of ${selection.plan?.name}: ${rule.schedule}${rule.timezone ? ` ${rule.timezone}` : ""}`, where: "vault" });
          } catch (error) {
            if (!(error instanceof CronError)) throw error;
            problems.push(`${path}: backup rule "${rule.name}" of plan ${selection.plan?.name} has a schedule the check cannot evaluate: ${error.message}`);
          }
        }
      }
    }
    const native = kind.native?.(attributes);
    if (native && (!native.pointInTime || (target?.pointInTime ?? false))) {
      protections.push({ minutes: native.minutes, how: native.how, where: "service" });
    }

    if (kind.awsBackup && planNames.length === 0) {
      problems.push(
        planTag === undefined
          ? `${path} (${kind.label}, ${resource.terraformResourceType}) is not covered by any backup plan: tag it ${BACKUP_TAG_KEY}=<plan> (backupTag() in constructs/core/backup-tag.ts; plans are configured under backup.plans), or ${BACKUP_EXEMPT_TAG_KEY}=<reason> if it must not be backed up`
          : `${path} (${kind.label}, ${resource.terraformResourceType}) is tagged ${BACKUP_TAG_KEY}=${planTag} but no backup plan of this stack selects it (configured plans: ${targets.map((t) => t.plan).join(", ") || "none"} under backup.plans)`,
      );
    } else if (protections.length === 0) {
      problems.push(`${path} (${kind.label}, ${resource.terraformResourceType}) has no backup at all: enable the service's snapshots (e.g. snapshot_retention_limit >= 1) or tag it ${BACKUP_EXEMPT_TAG_KEY}=<reason>`);
    }
    if (planTag !== undefined && target === undefined && !kind.awsBackup) {
      problems.push(`${path} (${kind.label}) names backup plan "${planTag}", which is not configured (backup.plans has: ${targets.map((t) => t.plan).join(", ") || "none"})`);
    }

    const effective = protections.length > 0 ? Math.min(...protections.map((protection) => protection.minutes)) : undefined;
    let targetMinutes: number | undefined;
    let targetKey: string | undefined;
    if (target) {
      const override = target.overrides[kind.dataClass];
      targetMinutes = override ?? target.rpoMinutes;
      targetKey = override !== undefined ? `${target.configKey}.rpoOverrides.${kind.dataClass}` : `${target.configKey}.rpo`;
      if (effective !== undefined && effective > targetMinutes) {
        const fastest = protections.find((protection) => protection.minutes === effective);
        const hint = kind.continuousMinutes !== undefined || kind.native?.(attributes)?.pointInTime
          ? `enable point-in-time recovery (${target.configKey}.continuous.enabled) or a shorter schedule (${target.configKey}.frequent)`
          : `add a shorter schedule (${target.configKey}.frequent.everyHours)`;
        problems.push(
          `${path} (${kind.label}, ${resource.terraformResourceType}): effective RPO ${formatDuration(effective)} exceeds the target ${formatDuration(targetMinutes)} (${targetKey}); its most frequent protection is ${fastest?.how}. Fix: ${hint}, or raise ${targetKey}`,
        );
      }
    }
    assessments.push({
      ...base,
      plans: planNames,
      protections,
      ...(effective !== undefined ? { effectiveRpoMinutes: effective } : {}),
      ...(targetMinutes !== undefined ? { targetMinutes } : {}),
      ...(targetKey !== undefined ? { targetKey } : {}),
      problems,
    });
  }
  return assessments;
}

/**
 * The validation `cdktf synth` runs: every problem of every stateful resource fails the stack. Each problem is
 * reported on its resource's construct path (a validation per stateful resource, registered by an aspect), so a
 * report can point at the resource and the configuration behind it; the stack's own validation runs first (cdktf
 * validates a stack before its children) and assesses the whole stack once per validation pass.
 */
export class RpoCheck implements IValidation, IAspect {
  private assessments?: Assessment[];
  private readonly registered = new WeakSet<IConstruct>();

  constructor(
    private readonly stack: TerraformStack,
    private readonly targets: () => readonly RpoTarget[],
  ) {}

  /** The stack's assessments (computed by the stack's validation, or on first use). */
  current(): Assessment[] {
    this.assessments ??= assessStack(this.stack, this.targets());
    return this.assessments;
  }

  /** The stack-level validation: assesses afresh; problems of resources without their own validation are reported here. */
  validate(): string[] {
    this.assessments = assessStack(this.stack, this.targets());
    return this.assessments.filter((assessment) => !this.registeredPaths.has(assessment.path)).flatMap((assessment) => assessment.problems.map((problem) => `RPO check: ${problem}`));
  }

  private readonly registeredPaths = new Set<string>();

  visit(node: IConstruct): void {
    if (this.registered.has(node) || !TerraformResource.isTerraformResource(node) || node instanceof TerraformProvider) return;
    if (!statefulKind((node as TerraformResource).terraformResourceType)) return;
    this.registered.add(node);
    this.registeredPaths.add(node.node.path);
    node.node.addValidation({
      validate: () => this.current().filter((assessment) => assessment.path === node.node.path).flatMap((assessment) => assessment.problems.map((problem) => `RPO check: ${problem}`)),
    });
  }
}

/** Registers the RPO check on `stack` (run by `cdktf synth` / `app.synth()` after aspects). */
export function addRpoCheck(stack: TerraformStack, targets: () => readonly RpoTarget[]): RpoCheck {
  const check = new RpoCheck(stack, targets);
  stack.node.addValidation(check);
  Aspects.of(stack).add(check);
  return check;
}
