/**
 * `npm run bench`: median wall time and peak memory of the app step of `cdktf synth` (the exact command in
 * cdktf.json's `app`, `node --import tsx main.ts`) over several runs, on the bundled configuration or another directory.
 *
 *   npm run bench -- [--runs 5] [--config DIR] [--stacks PATTERN]
 *   npm run bench -- --tenants 10,100,1000 [--runs 3]
 *   npm run bench -- --review 10,1000 [--runs 3]
 *
 * With --tenants, for each N a temporary configuration (the bundled one plus N generated shared tenants in the
 * first production environment) is synthesized in full and selectively (one tenant's stack out of N).
 *
 * With --review N,M, the change report (`npm run review`) is timed for one-tenant changes in a temporary git
 * repository holding this checkout's files plus N generated shared tenants: one tenant file edited, one tenant
 * added; the report compares only that tenant's stack. The smallest N is the baseline of the same run (on a loaded
 * machine, compare the counts with each other rather than with an absolute figure); CPU time is reported besides
 * wall time because it does not depend on what else the machine runs.
 *
 * Peak memory is the largest peak RSS of any Node process of a run (recorded by scripts/bench/rusage.mjs as each
 * process exits). Runs are sequential; the first is a warm-up and is not counted. Figures only — the test suite
 * never asserts on timing.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { loadConfig } from "../config/loader";
import { nextIngressGroup } from "../config/tenancy";

const ROOT = resolve(__dirname, "..");
/** The app command `cdktf synth` runs (cdktf.json `app`), measured as it is. */
const APP_COMMAND = (JSON.parse(readFileSync(join(ROOT, "cdktf.json"), "utf8")) as { app: string }).app;
const TARGET_WALL_SECONDS = 3;
const TARGET_RSS_MIB = 400;

export interface RunResult {
  readonly wallSeconds: number;
  readonly peakRssMiB: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const at = (index: number) => sorted[index] ?? Number.NaN;
  return sorted.length % 2 === 1 ? at(middle) : (at(middle - 1) + at(middle)) / 2;
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
  const [command, ...args] = APP_COMMAND.split(/\s+/) as [string, ...string[]];
  const result = spawnSync(command, args, { cwd: ROOT, env, encoding: "utf8" });
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

/** A copy of the bundled configuration (data only) plus `count` generated shared tenants. */
export function configWithTenants(count: number, environment = "prod"): string {
  const dir = mkdtempSync(join(tmpdir(), "platform-bench-config-"));
  const source = join(ROOT, "config");
  cpSync(source, dir, { recursive: true, filter: (path) => !path.startsWith(join(source, "schema")) && !path.endsWith(".ts") });
  mkdirSync(join(dir, "tenants"), { recursive: true });
  // Load balancers are filled as `npm run tenant -- add` fills them: the lowest ingress group with room first.
  const base = loadConfig(dir);
  const perLoadBalancer = base.project.tenancy.tenantsPerLoadBalancer;
  const members = new Map<number, number>();
  for (const { config: tenant } of base.tenants) {
    if (tenant.environment === environment && tenant.ingressGroup !== undefined) members.set(tenant.ingressGroup, (members.get(tenant.ingressGroup) ?? 0) + 1);
  }
  let ingressGroup = 1;
  for (let index = 0; index < count; index++) {
    const id = `bench${String(index).padStart(4, "0")}`;
    while ((members.get(ingressGroup) ?? 0) >= perLoadBalancer) ingressGroup++;
    members.set(ingressGroup, (members.get(ingressGroup) ?? 0) + 1);
    // Realistic shared tenants: one product each (NOOR, the bundled shared tenant's product), on its own subdomain.
    writeFileSync(join(dir, "tenants", `${id}.yaml`), `id: ${id}\nenvironment: ${environment}\nisolation: shared\ningressGroup: ${ingressGroup}\nproducts:\n  noor: {}\n`);
  }
  return dir;
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
    .option("--tenants <counts>", "comma-separated tenant counts, e.g. 10,100,1000", (value) => value.split(",").map(positiveInt))
    .option("--review <counts>", "time the change report of one-tenant changes at these tenant counts, e.g. 10,1000", (value) => value.split(",").map(positiveInt))
    .parse();
  const options = program.opts<{ runs: number; config?: string; stacks?: string; tenants?: number[]; review?: number[] }>();
  if (options.review) {
    benchReview(options.review, options.runs);
    return;
  }
  if (options.tenants) {
    benchTenants(options.tenants, options.runs);
    return;
  }
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
      `synth app step (${APP_COMMAND}), ${label}, ${options.runs} runs after a warm-up, node ${process.version}`,
      `  wall  median ${wall.toFixed(2)} s   (min ${Math.min(...walls).toFixed(2)}, max ${Math.max(...walls).toFixed(2)})`,
      `  RSS   median ${rss.toFixed(0)} MiB  (min ${Math.min(...peaks).toFixed(0)}, max ${Math.max(...peaks).toFixed(0)})`,
      `  target: wall < ${TARGET_WALL_SECONDS} s ${wall < TARGET_WALL_SECONDS ? "met" : "MISSED"}, RSS < ${TARGET_RSS_MIB} MiB ${rss < TARGET_RSS_MIB ? "met" : "MISSED"}`,
      "",
    ].join("\n"),
  );
}

function benchTenants(counts: readonly number[], runs: number): void {
  const rows: string[] = [];
  let previous: { count: number; wall: number } | undefined;
  for (const count of counts) {
    const dir = configWithTenants(count);
    const one = `prod-tenant-bench${String(Math.floor(count / 2)).padStart(4, "0")}`;
    runAppStep({ configDir: dir }); // warm-up
    const full = Array.from({ length: runs }, () => runAppStep({ configDir: dir }));
    const selective = Array.from({ length: runs }, () => runAppStep({ configDir: dir, stacks: one }));
    rmSync(dir, { recursive: true, force: true });
    const fullWall = median(full.map((r) => r.wallSeconds));
    rows.push(
      [
        String(count).padStart(5),
        `${fullWall.toFixed(2)} s`.padStart(9),
        previous ? `${(((fullWall - previous.wall) / (count - previous.count)) * 1000).toFixed(1)} ms`.padStart(10) : "-".padStart(10),
        `${median(full.map((r) => r.peakRssMiB)).toFixed(0)} MiB`.padStart(9),
        `${median(selective.map((r) => r.wallSeconds)).toFixed(2)} s`.padStart(9),
        `${median(selective.map((r) => r.peakRssMiB)).toFixed(0)} MiB`.padStart(9),
      ].join(" | "),
    );
    previous = { count, wall: fullWall };
  }
  process.stdout.write(
    [
      `tenants: median of ${runs} runs after a warm-up (app step, ${APP_COMMAND}), node ${process.version}`,
      "    N | full wall | +ms/tenant | full RSS | one wall |  one RSS   (+ms/tenant: marginal cost vs the previous N)",
      ...rows,
      "targets: 1000 shared tenants < 60 s and < 2048 MiB; one tenant out of 1000 < 3 s; growth linear in N",
      "",
    ].join("\n"),
  );
}

/** One review case: a change to the generated repository, the text its report must contain, and how to undo it. */
interface ReviewCase {
  readonly name: string;
  apply(repo: string): void;
  revert(repo: string): void;
  readonly expect: RegExp;
}

const REVIEW_CASES = (count: number): ReviewCase[] => {
  const edited = join("config", "tenants", `bench${String(Math.floor(count / 2)).padStart(4, "0")}.yaml`);
  const added = join("config", "tenants", "benchnew.yaml");
  let original = "";
  return [
    {
      name: "edit one tenant",
      apply: (repo) => {
        original = readFileSync(join(repo, edited), "utf8");
        appendFileSync(join(repo, edited), "owner: bench-team\n");
      },
      revert: (repo) => writeFileSync(join(repo, edited), original),
      expect: /\*\*1\*\* of 1 compared stacks change/,
    },
    {
      // A new shared tenant also changes its environment's diagram (its shared tenants), so that environment's stacks are synthesized for it.
      name: "add one tenant",
      apply: (repo) => {
        const group = nextIngressGroup(loadConfig(join(repo, "config")), "prod");
        writeFileSync(join(repo, added), `id: benchnew\nenvironment: prod\nisolation: shared\ningressGroup: ${group}\nproducts:\n  noor: {}\n`);
      },
      revert: (repo) => rmSync(join(repo, added)),
      expect: /\*\*1\*\* of 1 compared stacks change[\s\S]*Architecture: environment prod/,
    },
  ];
};

/** A temporary git repository: this checkout's files (tracked and untracked, as they are now) plus `count` generated shared tenants, committed. */
function reviewRepository(count: number): string {
  const repo = mkdtempSync(join(tmpdir(), "platform-bench-review-"));
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" })
    .split("\n")
    .filter((file) => file !== "" && existsSync(join(ROOT, file)));
  for (const file of files) {
    mkdirSync(join(repo, file, ".."), { recursive: true });
    cpSync(join(ROOT, file), join(repo, file));
  }
  symlinkSync(join(ROOT, "node_modules"), join(repo, "node_modules"), "dir");
  const generated = configWithTenants(count);
  cpSync(join(generated, "tenants"), join(repo, "config", "tenants"), { recursive: true });
  rmSync(generated, { recursive: true, force: true });
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.email=bench@example.com", "-c", "user.name=bench", ...args], { cwd: repo, stdio: "pipe" });
  git("init", "--quiet");
  git("add", ".");
  git("commit", "--quiet", "-m", "base");
  return repo;
}

/**
 * Wall time, CPU time and peak RSS of `npm run review -- --base HEAD` for one-tenant changes among each count of
 * tenants. The review runs as CI runs it: the repository's own scripts/review.ts, from the repository.
 */
function benchReview(counts: readonly number[], runs: number): void {
  const rows: string[] = [];
  for (const count of counts) {
    const repo = reviewRepository(count);
    try {
      for (const change of REVIEW_CASES(count)) {
        change.apply(repo);
        const run = (): RunResult & { cpuSeconds: number } => {
          const rusageFile = join(repo, ".bench-rusage.jsonl");
          rmSync(rusageFile, { force: true });
          const started = process.hrtime.bigint();
          const result = spawnSync(process.execPath, ["--import", "tsx", join("scripts", "review.ts"), "--base", "HEAD"], {
            cwd: repo,
            encoding: "utf8",
            env: { ...process.env, CHECKPOINT_DISABLE: "1", BENCH_RUSAGE_FILE: rusageFile, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import=${join(ROOT, "scripts", "bench", "rusage.mjs")}`.trim() },
          });
          const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
          if (result.status !== 0) throw new Error(`review failed (exit ${result.status}):\n${result.stderr}`);
          if (!change.expect.test(result.stdout)) throw new Error(`unexpected report for "${change.name}":\n${result.stdout.slice(0, 2000)}`);
          const usage = readFileSync(rusageFile, "utf8").trim().split("\n").map((line) => JSON.parse(line) as { maxRssKiB: number; cpuMicros: number });
          rmSync(rusageFile, { force: true });
          return { wallSeconds, peakRssMiB: Math.max(...usage.map((item) => item.maxRssKiB)) / 1024, cpuSeconds: usage.reduce((sum, item) => sum + item.cpuMicros, 0) / 1e6 };
        };
        run(); // warm-up
        const results = Array.from({ length: runs }, run);
        change.revert(repo);
        const walls = results.map((result) => result.wallSeconds);
        rows.push(
          [
            String(count).padStart(5),
            change.name.padEnd(15),
            `${median(walls).toFixed(2)} s`.padStart(9),
            `${Math.min(...walls).toFixed(2)}–${Math.max(...walls).toFixed(2)} s`.padStart(14),
            `${median(results.map((result) => result.cpuSeconds)).toFixed(2)} s`.padStart(8),
            `${median(results.map((result) => result.peakRssMiB)).toFixed(0)} MiB`.padStart(8),
          ].join(" | "),
        );
      }
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  }
  process.stdout.write(
    [
      `review (npm run review -- --base HEAD) of one-tenant changes: median of ${runs} runs after a warm-up, node ${process.version}`,
      "    N | change          | wall med. |     wall range |  CPU med. | peak RSS   (N: generated shared tenants, + the bundled ones; CPU: all Node processes)",
      ...rows,
      "target: a one-tenant change at 1000 tenants costs about what it costs at 10 (the cost follows the change)",
      "",
    ].join("\n"),
  );
}

if (require.main === module) main();
