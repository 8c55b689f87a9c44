/**
 * Generates the restore runbook of every environment, `docs/runbooks/<env>.md` (`npm run runbook`): every
 * stateful resource of the environment's stacks with its backup coverage, effective RPO against the target,
 * and the restore procedure for it; where the backups are (vaults, DR region, Velero); and how to fail over.
 *
 * The content comes from the same model the synth-time RPO check uses (constructs/rpo), so the runbook cannot
 * disagree with what `cdktf synth` enforces. A test fails when a committed runbook is stale.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { loadConfig, type PlatformConfig } from "../config/loader";
import { formatDuration, resolveDrRegion, type BackupPlanConfig } from "../config/schema/backup";
import { protectedResourceTypes, restoreTestTypes, supportsColdStorage, type ProtectedResourceType } from "../config/schema/backup-coverage";
import type { EnvironmentConfig } from "../config/schema/environment";
import type { ProjectConfig } from "../config/schema/project";
import { alertsTopicName } from "../constructs/alerts-topic";
import { backupVaultName, planRules, restoreTestCron } from "../constructs/backup";
import { BACKUP_TAG_KEY } from "../constructs/core/backup-tag";
import { assessStack, type Assessment } from "../constructs/rpo";
import { veleroBucketName, VELERO_NAMESPACE } from "../constructs/velero";
import { buildApp } from "../stacks/app";
import { InfraStack } from "../stacks/infra";
import { infraStackName, platformStackName } from "../stacks/names";
import { environmentContext } from "../stacks/context";

export const RUNBOOK_DIR = join(__dirname, "..", "docs", "runbooks");

function escape(cell: string): string {
  return cell.replaceAll("|", "\\|");
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((row) => `| ${row.map(escape).join(" | ")} |`)].join("\n");
}

function rpoCell(assessment: Assessment): string {
  if (assessment.exemption) return "not backed up";
  return assessment.effectiveRpoMinutes === undefined ? "**none**" : formatDuration(assessment.effectiveRpoMinutes);
}

function status(assessment: Assessment): string {
  if (assessment.problems.length > 0) return "**FAILS**";
  return assessment.exemption ? "exempt (see below)" : "meets target";
}

function planSection(name: string, plan: BackupPlanConfig, protectedTypes: ReadonlySet<ProtectedResourceType> | undefined): string {
  const rules = planRules(plan, supportsColdStorage(protectedTypes)).map((rule) => [
    rule.name,
    rule.continuous ? "continuous (point-in-time)" : `\`${rule.schedule}\``,
    `${rule.deleteAfterDays} days${rule.coldStorageAfterDays !== undefined ? ` (cold after ${rule.coldStorageAfterDays})` : ""}`,
    rule.copy ? "yes" : "no",
  ]);
  const overrides = Object.entries(plan.rpoOverrides).filter(([, minutes]) => minutes !== undefined).map(([dataClass, minutes]) => `${dataClass} ${formatDuration(minutes as number)}`);
  const testTypes = restoreTestTypes(plan, protectedTypes);
  const restoreTests = testTypes.length > 0 ? restoreTestCron(plan.restoreTesting.frequency, plan.restoreTesting.at, plan.restoreTesting.schedule) : undefined;
  return [
    `### Plan \`${name}\` (resources tagged \`${BACKUP_TAG_KEY}=${name}\`)`,
    "",
    `- RPO target ${formatDuration(plan.rpo)}${overrides.length > 0 ? ` (derived data: ${overrides.join(", ")})` : ""}; RTO target ${formatDuration(plan.rto)}.`,
    `- Schedules in ${plan.timezone}; a backup starts within ${formatDuration(plan.startWindow)} and must finish within ${formatDuration(plan.completionWindow)}.`,
    `- Restore tests: ${restoreTests ? `${plan.restoreTesting.frequency} (\`${restoreTests}\` in ${plan.restoreTesting.timezone ?? plan.timezone}) for ${testTypes.join(", ")}; restored resources are kept ${plan.restoreTesting.validationWindowHours}h for validation` : "none"}.`,
    "",
    table(["rule", "schedule", "retention", "copied"], rules),
  ].join("\n");
}

function resourceSection(assessment: Assessment): string {
  const name = assessment.name ?? "<name>";
  const lines = [
    `### ${assessment.path}`,
    "",
    `${assessment.kind.label} \`${assessment.address}\`${assessment.name ? `, named \`${assessment.name}\`` : ""}.`,
  ];
  if (assessment.exemption) {
    lines.push("", `Not backed up: ${assessment.exemption}.`);
  } else {
    lines.push(
      "",
      `Effective RPO ${rpoCell(assessment)} against a target of ${assessment.targetMinutes === undefined ? "(none)" : formatDuration(assessment.targetMinutes)} (\`${assessment.targetKey ?? "-"}\`).`,
      "",
      ...[...assessment.protections].sort((a, b) => a.minutes - b.minutes).map((protection) => `- ${formatDuration(protection.minutes)}: ${protection.how}${protection.where === "service" ? " (in the service, same region)" : " (AWS Backup vault)"}`),
    );
  }
  for (const problem of assessment.problems) lines.push("", `> **Problem:** ${problem}`);
  if (assessment.exemption) {
    const versions = assessment.type === "aws_s3_bucket" ? ` Earlier object versions stay in the bucket: \`aws s3api list-object-versions --bucket ${name}\`.` : "";
    lines.push("", `Restore: not from AWS Backup (see above).${versions}`);
  } else {
    lines.push("", "Restore:", "", assessment.kind.restore(name));
  }
  return lines.join("\n");
}

/** The runbook of one environment, from its configuration and its built infra stack. */
export function renderRunbook(environment: EnvironmentConfig, infra: InfraStack, project: ProjectConfig): string {
  const { backup } = environment;
  const covered = protectedResourceTypes(environment);
  const assessments = assessStack(infra, infra.backup.rpoTargets).sort((a, b) => a.path.localeCompare(b.path));
  const drRegion = resolveDrRegion(backup.copy.region, environment.account.region);
  const lock = backup.vaultLock;
  const naming = environmentContext(project, environment).naming;
  const sections = [
    `# Restore runbook: ${environment.name}`,
    "",
    `Generated by \`npm run runbook\` from \`config/environments/${environment.name}.yaml\` and the \`${infraStackName(environment.name)}\` stack; do not edit by hand.`,
    `Effective RPOs are computed by the same check that fails \`cdktf synth\` (constructs/rpo).`,
    "",
    "## Where the backups are",
    "",
    `- AWS Backup vault \`${backupVaultName(naming)}\` in ${environment.account.region} (account ${environment.account.id}), encrypted with \`${infra.keys.aliases.backup}\`${lock.enabled ? `, ${lock.mode} vault lock ${lock.minRetentionDays}-${lock.maxRetentionDays} days` : ", not locked"}.`,
    drRegion
      ? `- Disaster-recovery copies: vault \`${backupVaultName(naming, "dr")}\` in ${drRegion}, encrypted with that region's \`${naming.kmsAlias("backup")}\`${lock.enabled ? ", same lock" : ""}.`
      : "- Disaster-recovery copies: none (no `backup.copy.region`).",
    backup.copy.account ? `- Copies to account ${backup.copy.account.id}: vault \`${backup.copy.account.vaultName}\` in ${backup.copy.account.region}.` : "- Copies to another account: none.",
    `- Backup and restore role: \`${naming.name("iam-role", "backup")}\`.`,
    `- Failed, aborted and expired backup, copy and restore jobs alert the SNS topic \`${alertsTopicName(naming)}\`.`,
    backup.velero.enabled
      ? `- Kubernetes objects and volume snapshots: Velero (namespace \`${VELERO_NAMESPACE}\`) into bucket \`${veleroBucketName(naming)}\`${drRegion && environment.profile === "production" ? `, replicated to \`${veleroBucketName(naming, "dr")}\` in ${drRegion}` : ""}.`
      : "- Kubernetes: Velero is disabled.",
    "",
    "## Objectives and schedules",
    "",
    ...Object.entries(backup.plans).sort(([a], [b]) => a.localeCompare(b)).flatMap(([name, plan]) => [planSection(name, plan, covered.get(name)), ""]),
    "## Stateful resources",
    "",
    assessments.length === 0
      ? "No stateful resources in this environment's stacks yet."
      : table(
          ["resource", "type", "plan", "effective RPO", "target", "status"],
          assessments.map((assessment) => [
            `\`${assessment.path}\``,
            assessment.kind.label,
            assessment.exemption ? "-" : (assessment.planTag ?? assessment.plans.join(", ")) || "-",
            rpoCell(assessment),
            assessment.targetMinutes === undefined ? "-" : formatDuration(assessment.targetMinutes),
            status(assessment),
          ]),
        ),
    "",
    "## Restore procedures",
    "",
    "General rules: restore into a new resource next to the damaged one, verify it, then switch the service's connection",
    "parameter (`/<project>/<env>/services/<name>/connection`) or rename it into place; never restore over the original.",
    "Times are UTC. Record the start time: the RTO clock runs from the decision to restore.",
    "",
    ...assessments.flatMap((assessment) => [resourceSection(assessment), ""]),
    "## Kubernetes workloads (Velero)",
    "",
    backup.velero.enabled
      ? [
          table(
            ["schedule", "cron (UTC)", "kept", "namespaces", "volume snapshots"],
            backup.velero.schedules.map((schedule) => [
              schedule.name,
              `\`${schedule.schedule}\``,
              schedule.ttl,
              `${schedule.includedNamespaces.join(", ")}${schedule.excludedNamespaces.length > 0 ? ` (except ${schedule.excludedNamespaces.join(", ")})` : ""}`,
              schedule.snapshotVolumes ? "yes" : "no",
            ]),
          ),
          "",
          "1. `velero backup get` — pick the newest completed backup of the schedule (`<schedule>-<yyyyMMddHHmmss>`).",
          "2. `velero restore create --from-backup <backup> --include-namespaces <namespace> --wait`, then `velero restore describe <restore> --details`.",
          `3. Cluster objects are also reproducible from this repository: \`STACKS=${platformStackName(environment.name)} npm run deploy\`.`,
        ].join("\n")
      : "Velero is disabled in this environment; cluster objects are recreated by deploying the platform stack.",
    "",
    "## Region failure",
    "",
    drRegion
      ? [
          `1. Declare the incident; confirm ${environment.account.region} is impaired (AWS Health Dashboard) and decide to fail over to ${drRegion}.`,
          `2. List the newest copies: \`aws backup list-recovery-points-by-backup-vault --region ${drRegion} --backup-vault-name ${backupVaultName(naming, "dr")}\`.`,
          `3. Deploy the environment's network and cluster in ${drRegion} (an environment file with \`account.region: ${drRegion}\` and a non-overlapping CIDR), then restore each resource above from its DR copy with \`aws backup start-restore-job --region ${drRegion}\` into the new data subnet group.`,
          "4. Restore Kubernetes workloads with Velero pointed at the replicated bucket, then move DNS.",
          `5. Data loss is bounded by the copied tiers (daily at best): continuous and frequent backups stay in ${environment.account.region}.`,
        ].join("\n")
      : "No disaster-recovery region is configured: a region failure is recovered only once the region returns.",
    "",
  ];
  return sections.join("\n");
}

/** Every environment's runbook, by file name. */
export async function renderRunbooks(config: PlatformConfig): Promise<Record<string, string>> {
  const outdir = mkdtempSync(join(tmpdir(), "runbook-"));
  try {
    const app = new App({ outdir, skipValidation: true });
    const patterns = config.environments.map((environment) => infraStackName(environment.config.name));
    const stacks = await buildApp(app, config, { stackPatterns: patterns });
    const runbooks: Record<string, string> = {};
    for (const { config: environment } of config.environments) {
      const infra = stacks.find((stack) => stack.node.id === infraStackName(environment.name));
      if (!(infra instanceof InfraStack)) throw new Error(`runbook: stack ${infraStackName(environment.name)} was not built`);
      runbooks[`${environment.name}.md`] = renderRunbook(environment, infra, config.project);
    }
    return runbooks;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** True when run as `tsx scripts/runbook.ts`, false when imported (by the freshness test). */
const invokedDirectly = typeof require !== "undefined" && typeof module !== "undefined" && require.main === module;

async function main(): Promise<void> {
  const config = loadConfig(process.argv[2] ?? join(__dirname, "..", "config"));
  const runbooks = await renderRunbooks(config); // every runbook rendered before any file is written
  mkdirSync(RUNBOOK_DIR, { recursive: true });
  for (const [file, content] of Object.entries(runbooks)) {
    writeFileSync(join(RUNBOOK_DIR, file), content);
    process.stdout.write(`wrote ${join("docs", "runbooks", file)}\n`);
  }
}

if (invokedDirectly) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
