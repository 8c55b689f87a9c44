/**
 * `npm run versions`: reports which pinned versions — in the configuration and the version catalog's defaults
 * (constructs/core/versions.ts) — are past or near the end of their standard support (scripts/lib/versions-report.ts).
 * A weekly workflow (.github/workflows/versions.yml) runs it so an upgrade is planned before a forced one.
 *
 * Options: --today <YYYY-MM-DD>   evaluate on this day instead of today (UTC)
 *          --window <days>        "near" means within this many days (default 180)
 *          --json                 print the report as JSON
 *          --all                  also list catalog versions nothing uses
 * Environment: PLATFORM_CONFIG_DIR (see config/runtime-options.ts).
 *
 * Exit status: 1 when a version in use is past its end of standard support (or not in the catalog); 2 on usage or
 * configuration errors. The configuration is loaded without date checks, so a past version is reported, not refused.
 */
import { join } from "node:path";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { ConfigError } from "../config/errors";
import { loadConfig } from "../config/loader";
import { readRuntimeOptions, withSupportDate } from "../config/runtime-options";
import { isIsoDay } from "../constructs/core/versions";
import { DEFAULT_WINDOW_DAYS, formatReport, versionsReport, versionUses } from "./lib/versions-report";

const ROOT = join(__dirname, "..");

function day(value: string): string {
  if (!isIsoDay(value)) throw new InvalidArgumentError(`expected a day YYYY-MM-DD, got "${value}"`);
  return value;
}

function days(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed > 3650) throw new InvalidArgumentError(`expected a whole number of days from 0 to 3650, got "${value}"`);
  return parsed;
}

export function runVersions(argv: readonly string[], out: (text: string) => void = (text) => process.stdout.write(text)): number {
  const program = new Command()
    .name("versions")
    .description("Report pinned versions past or near the end of standard support")
    .option("--today <YYYY-MM-DD>", "evaluate on this day (default: today, UTC)", day)
    .option("--window <days>", "report versions whose standard support ends within this many days", days, DEFAULT_WINDOW_DAYS)
    .option("--json", "print the report as JSON")
    .option("--all", "also list catalog versions nothing uses")
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  program.parse([...argv], { from: "user" });
  const options = program.opts<{ today?: string; window: number; json?: boolean; all?: boolean }>();
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const runtime = readRuntimeOptions(process.env, join(ROOT, "config"));
  // Without date checks: a version past its support must be reported here, not make the configuration invalid.
  const config = withSupportDate(undefined, () => loadConfig(runtime.configDir));
  const report = versionsReport(versionUses(config, { all: options.all ?? false }), today, options.window);
  out(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.past > 0 ? 1 : 0;
}

if (require.main === module) {
  try {
    process.exitCode = runVersions(process.argv.slice(2));
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
    } else if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 2;
    }
  }
}
