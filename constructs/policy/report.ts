/**
 * Reporters of `npm run policy`: a plain-text table for the terminal, a JSON report, SARIF 2.1.0 for code
 * scanning (GitHub shows each finding as an alert on the synthesized file), and a markdown summary for the job
 * summary or a pull-request comment.
 */
import { failing, passed, type StackEvaluation } from "./engine";
import { RULES } from "./rules";
import { atOrAbove, type Finding, SCOPE_LABELS, SEVERITIES, type Severity } from "./types";

export const TOOL_NAME = "platform-policy";

/** Where a stack's synthesized JSON lives, relative to the repository (SARIF artifact locations). */
export type ArtifactLocator = (finding: Finding) => { uri: string; line?: number };

export function defaultLocator(outdir = "cdktf.out"): ArtifactLocator {
  return (finding) => ({ uri: `${outdir}/stacks/${finding.stack}/cdk.tf.json` });
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** A fixed-width table of every unsuppressed finding, failing ones marked, and one status line per stack. */
export function formatTable(evaluations: readonly StackEvaluation[]): string {
  const rows = evaluations.flatMap((evaluation) =>
    evaluation.findings.map((finding) => [
      atOrAbove(finding.severity, evaluation.failAt) ? "FAIL" : "warn",
      finding.severity,
      finding.rule,
      finding.path,
      finding.message,
    ]),
  );
  const lines: string[] = [];
  if (rows.length > 0) {
    const header = ["", "SEVERITY", "RULE", "CONSTRUCT PATH", "FINDING"];
    const widths = header.map((title, index) => Math.min(index === 3 ? 60 : 30, Math.max(title.length, ...rows.map((row) => (row[index] ?? "").length))));
    const render = (row: readonly string[]) =>
      row.map((cell, index) => (index === row.length - 1 ? truncate(cell, 140) : pad(truncate(cell, widths[index] ?? 20), widths[index] ?? 20))).join("  ");
    lines.push(render(header), ...rows.map(render), "");
  }
  for (const evaluation of evaluations) {
    const failed = failing(evaluation).length;
    const status = passed(evaluation) ? "pass" : "FAIL";
    lines.push(
      `${pad(status, 5)} ${pad(evaluation.stack, 28)} profile ${pad(evaluation.profile, 12)} fails at ${pad(evaluation.failAt, 8)} ${failed} failing, ${evaluation.findings.length - failed} warning(s), ${evaluation.suppressed.length} suppressed`,
    );
    for (const error of evaluation.errors) lines.push(`      suppression rejected: ${error}`);
  }
  return `${lines.join("\n")}\n`;
}

export interface JsonReport {
  readonly tool: string;
  readonly generatedAt: string;
  readonly passed: boolean;
  readonly rules: readonly { id: string; title: string; severity: Severity; scope: string; fix: string; upstream?: string }[];
  readonly stacks: readonly (StackEvaluation & { readonly passed: boolean; readonly failing: number })[];
}

export function jsonReport(evaluations: readonly StackEvaluation[], now: Date = new Date()): JsonReport {
  return {
    tool: TOOL_NAME,
    generatedAt: now.toISOString(),
    passed: evaluations.every(passed),
    rules: RULES.map((rule) => ({ id: rule.id, title: rule.title, severity: rule.severity, scope: rule.scope, fix: rule.fix, ...(rule.upstream ? { upstream: rule.upstream } : {}) })),
    stacks: evaluations.map((evaluation) => ({ ...evaluation, passed: passed(evaluation), failing: failing(evaluation).length })),
  };
}

const SARIF_LEVEL: Readonly<Record<Severity, "error" | "warning" | "note">> = { critical: "error", high: "error", medium: "warning", low: "note" };
/** GitHub code scanning ranks security alerts by this property (0-10). */
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" };

/** SARIF 2.1.0 log: one run, every rule, every finding (suppressed ones carry an external suppression). */
export function sarifReport(evaluations: readonly StackEvaluation[], locate: ArtifactLocator = defaultLocator()): Record<string, unknown> {
  const ruleIndex = new Map(RULES.map((rule, index) => [rule.id, index]));
  const result = (finding: Finding) => {
    const location = locate(finding);
    return {
      ruleId: finding.rule,
      ruleIndex: ruleIndex.get(finding.rule) ?? 0,
      level: SARIF_LEVEL[finding.severity],
      message: { text: `${finding.path}: ${finding.message}. Fix: ${finding.fix}` },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: location.uri }, region: { startLine: location.line ?? 1 } },
          logicalLocations: [{ fullyQualifiedName: finding.path, kind: "resource", ...(finding.address ? { decoratedName: finding.address } : {}) }],
        },
      ],
      partialFingerprints: { constructPath: `${finding.rule}:${finding.path}` },
      properties: { stack: finding.stack, severity: finding.severity },
      ...(finding.suppression ? { suppressions: [{ kind: "external", justification: finding.suppression.reason }] } : {}),
    };
  };
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            informationUri: "https://github.com/example-org/platform-iac/tree/main/constructs/policy",
            rules: RULES.map((rule) => ({
              id: rule.id,
              name: rule.id.toLowerCase().replace(/-(.)/g, (_, letter: string) => letter.toUpperCase()),
              shortDescription: { text: rule.title },
              fullDescription: { text: `${rule.title} (${SCOPE_LABELS[rule.scope]}).${rule.upstream ? ` Upstream: ${rule.upstream}.` : ""}` },
              help: { text: rule.fix },
              defaultConfiguration: { level: SARIF_LEVEL[rule.severity] },
              properties: { tags: ["security", "iac", "cdktf"], "security-severity": SECURITY_SEVERITY[rule.severity] },
            })),
          },
        },
        results: evaluations.flatMap((evaluation) => [...evaluation.findings, ...evaluation.suppressed].map(result)),
      },
    ],
  };
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** Markdown summary: a status line per stack, the failing findings, warnings and suppressions. */
export function markdownSummary(evaluations: readonly StackEvaluation[]): string {
  const ok = evaluations.every(passed);
  const lines = [`## Policy: ${ok ? "passed" : "failed"}`, "", "| Stack | Profile | Fails at | Failing | Warnings | Suppressed | Status |", "|---|---|---|---|---|---|---|"];
  for (const evaluation of evaluations) {
    const failed = failing(evaluation).length;
    lines.push(
      `| ${evaluation.stack} | ${evaluation.profile} | ${evaluation.failAt} | ${failed} | ${evaluation.findings.length - failed} | ${evaluation.suppressed.length} | ${passed(evaluation) ? "✅" : "❌"} |`,
    );
  }
  const errors = evaluations.flatMap((evaluation) => evaluation.errors);
  if (errors.length > 0) lines.push("", "### Rejected suppressions", "", ...errors.map((error) => `- ${error}`));
  const section = (title: string, findings: readonly Finding[], withReason = false) => {
    if (findings.length === 0) return;
    lines.push("", `### ${title}`, "", `| Severity | Rule | Construct path | Finding | ${withReason ? "Reason" : "Fix"} |`, "|---|---|---|---|---|");
    const sorted = [...findings].sort((a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity));
    for (const finding of sorted) {
      const last = withReason ? (finding.suppression?.reason ?? "") : finding.fix;
      lines.push(`| ${finding.severity} | ${finding.rule} | \`${escapeCell(finding.path)}\` | ${escapeCell(finding.message)} | ${escapeCell(last)} |`);
    }
  };
  section("Failing findings", evaluations.flatMap(failing));
  section("Warnings (below the environment's threshold)", evaluations.flatMap((evaluation) => evaluation.findings.filter((finding) => !atOrAbove(finding.severity, evaluation.failAt))));
  section("Suppressed findings", evaluations.flatMap((evaluation) => evaluation.suppressed), true);
  return `${lines.join("\n")}\n`;
}
