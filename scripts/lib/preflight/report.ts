/** The preflight's output: a table per stack with the problems under it, or JSON (`--json`). */
import type { PreflightSummary, StackReport } from "./run";

const STATUS: Readonly<Record<string, string>> = { ok: "ok", "not-applicable": "-", failed: "COULD NOT CHECK" };

function result(check: StackReport["checks"][number]): string {
  if (check.status !== "problems") return STATUS[check.status] ?? check.status;
  const errors = check.problems.filter((item) => item.severity === "error").length;
  const warnings = check.problems.length - errors;
  return [errors > 0 ? `${errors} error${errors === 1 ? "" : "s"}` : "", warnings > 0 ? `${warnings} warning${warnings === 1 ? "" : "s"}` : ""].filter(Boolean).join(", ");
}

export function formatReport(reports: readonly StackReport[], summary: PreflightSummary, options: { readonly verbose?: boolean } = {}): string {
  const lines: string[] = [];
  for (const report of reports) {
    lines.push(`${report.stack}  (account ${report.accountId}, ${report.region}; stage ${report.stage})`);
    const width = Math.max(...report.checks.map((check) => check.title.length), 5);
    lines.push(`  ${"CHECK".padEnd(width)}  RESULT`);
    for (const check of report.checks) {
      const counted = check.status === "ok" && check.verified.length > 0 ? ` (${check.verified.length} verified)` : "";
      lines.push(`  ${check.title.padEnd(width)}  ${result(check)}${counted}`);
    }
    for (const check of report.checks) {
      if (check.status === "failed") lines.push("", `  COULD NOT CHECK  ${check.title}: ${check.error}`);
      for (const item of check.problems) {
        lines.push("", `  ${item.severity === "error" ? "ERROR  " : "WARNING"}  ${check.title}: ${item.subject} ${item.message}`);
        if (item.where.length > 0) lines.push(`           at:  ${item.where.join(", ")}`);
        lines.push(`           fix: ${item.fix}`);
      }
      if (options.verbose) for (const line of check.verified) lines.push(`  ok       ${check.title}: ${line}`);
    }
    lines.push("");
  }
  const verdict =
    summary.exitCode === 2
      ? `${summary.failedChecks} check${summary.failedChecks === 1 ? "" : "s"} could not run: nothing is known about them (exit 2).`
      : summary.exitCode === 1
        ? "Fix the errors before the apply (exit 1)."
        : "Nothing found that would stop the apply.";
  lines.push(`${reports.length} stack${reports.length === 1 ? "" : "s"}: ${summary.errors} error${summary.errors === 1 ? "" : "s"}, ${summary.warnings} warning${summary.warnings === 1 ? "" : "s"}. ${verdict}`);
  return `${lines.join("\n")}\n`;
}

export function reportJson(reports: readonly StackReport[], summary: PreflightSummary): string {
  return `${JSON.stringify({ stacks: reports, summary }, null, 2)}\n`;
}
