/**
 * `npm run bench`: median wall time and peak memory of the app step of `cdktf synth` (the exact command in
 * cdktf.json: tsx main.ts) over several runs, on the bundled configuration or another directory.
 *
 *   npm run bench -- [--runs 5] [--config DIR] [--stacks PATTERN]
 *
 * Peak memory is the largest peak RSS of any Node process of a run (recorded by scripts/bench/rusage.mjs as each
 * process exits). Runs are sequential; the first is a warm-up and is not counted. Figures only — the test suite
 * never asserts on timing.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";

const ROOT = resolve(__dirname, "..");
const TARGET_WALL_SECONDS = 3;
const TARGET_RSS_MIB = 400;

export interface RunResult {
  readonly wallSeconds: number;
  readonly peakRssMiB: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs the app step once and measures it. */
export function runAppStep(options: { configDir?: string; stacks?: string }): RunResult {
  const work = mkdtempSync(join(tmpdir(), "platform-bench-"));
  const rusageFile = join(work, "rusage.jsonl");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CDKTF_OUTDIR: join(work, "out"),
    BENCH_RUSAGE_FILE: rusageFile,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import=${join(ROOT, "scripts", "bench", "rusage.mjs")}`.trim(),
  };
  if (options.configDir) env.PLATFORM_CONFIG_DIR = resolve(options.configDir);
  if (options.stacks) env.STACKS = options.stacks;
  const started = process.hrtime.bigint();
  const result = spawnSync(join(ROOT, "node_modules", ".bin", "tsx"), ["main.ts"], { cwd: ROOT, env, encoding: "utf8" });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) {
    throw new Error(`synth failed (exit ${result.status}):\n${result.stderr}`);
  }
  const peaks = readFileSync(rusageFile, "utf8")
    .trim()
    .split("\n")
    .map((line) => (JSON.parse(line) as { maxRssKiB: number }).maxRssKiB);
  rmSync(work, { recursive: true, force: true });
  return { wallSeconds, peakRssMiB: Math.max(...peaks) / 1024 };
}

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError("expected a positive integer");
  return parsed;
}

function main(): void {
  const program = new Command()
    .name("bench")
    .description("Median wall time and peak RSS of the synth app step")
    .option("--runs <n>", "measured runs (after one warm-up)", positiveInt, 5)
    .option("--config <dir>", "configuration directory (default: the bundled config)")
    .option("--stacks <pattern>", "STACKS filter for a selective synth")
    .parse();
  const options = program.opts<{ runs: number; config?: string; stacks?: string }>();
  const run = () => runAppStep({ ...(options.config ? { configDir: options.config } : {}), ...(options.stacks ? { stacks: options.stacks } : {}) });

  run(); // warm-up: file cache, tsx transform cache
  const results = Array.from({ length: options.runs }, run);
  const walls = results.map((r) => r.wallSeconds);
  const peaks = results.map((r) => r.peakRssMiB);
  const wall = median(walls);
  const rss = median(peaks);
  const label = options.stacks ? `STACKS=${options.stacks}` : "all stacks";
  process.stdout.write(
    [
      `synth app step (tsx main.ts), ${label}, ${options.runs} runs after a warm-up, node ${process.version}`,
      `  wall  median ${wall.toFixed(2)} s   (min ${Math.min(...walls).toFixed(2)}, max ${Math.max(...walls).toFixed(2)})`,
      `  RSS   median ${rss.toFixed(0)} MiB  (min ${Math.min(...peaks).toFixed(0)}, max ${Math.max(...peaks).toFixed(0)})`,
      `  target: wall < ${TARGET_WALL_SECONDS} s ${wall < TARGET_WALL_SECONDS ? "met" : "MISSED"}, RSS < ${TARGET_RSS_MIB} MiB ${rss < TARGET_RSS_MIB ? "met" : "MISSED"}`,
      "",
    ].join("\n"),
  );
}

if (require.main === module) main();
