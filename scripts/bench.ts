/**
 * `npm run bench`: issue 19's targets next to their measurements — medians of wall time, CPU time and peak memory
 * over several runs of the app step of `cdktf synth` (the exact command in cdktf.json's `app`, `node --import tsx
 * main.ts`), of `npm run synth`, of 1000 shared tenants and of one tenant out of 1000 — or one of those measurements.
 *
 *   npm run bench -- [--runs 5] [--tests] [--cli] [--floor]   issue 19's five targets, each next to its measurement
 *   npm run bench -- [--runs 5] [--config DIR] [--stacks PATTERN]
 *   npm run bench -- --tenants 10,100,1000,5000 [--runs 3] [--workers N]
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
 * With --floor, targets 1, 3 and 5 also get their floor: the same output (the last measured app step's) written by a
 * bare cdktf app (scripts/bench/floor.ts: generic elements holding the synthesized attributes; no configuration,
 * construct, token, policy, check or asset), once with cdktf's `app.synth()` and once with this project's resolver and
 * writer, on as many processes as the app step runs (its workerCount); then with our writer after loading and
 * validating the configuration (config/loader.ts, in every process, as the app step's workers do). No cdktf app
 * writing that output can be faster than its floor, nor one that validates its configuration faster than the last.
 * For target 3 it also prints the CPU time the goal leaves above that last floor on all cores, per stack, beside the
 * app's (cpuLeftAboveFloor); `scripts/profile-summary.ts --phases --stacks N` shows where the app's goes.
 *
 * With --tests, `npm test` runs once (target 4), and its CPU time is split by kind of process (suiteCpu): vitest,
 * whose worker threads run the test files; the Node processes the tests start (the commands they prove end to end);
 * npm, the type-check and lint wrappers; and the programs that are not Node. All processes' CPU time divided by the
 * cores is the least wall time that work can take on this machine.
 *
 * Peak memory is the largest peak RSS of any Node process of a run, and the sum over its processes (synthesis
 * workers run at once; the sum is what the 1 GB target is checked against) (recorded by scripts/bench/rusage.mjs as each
 * process exits). Runs are sequential; the first is a warm-up and is not counted. Figures only — the test suite
 * never asserts on timing.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { parse, stringify } from "yaml";
import { loadConfig } from "../config/loader";
import { nextIngressGroup } from "../config/tenancy";
import { workerCount } from "./lib/synth/run";

const ROOT = resolve(__dirname, "..");
/** The app command `cdktf synth` runs (cdktf.json `app`), measured as it is. */
const APP_COMMAND = (JSON.parse(readFileSync(join(ROOT, "cdktf.json"), "utf8")) as { app: string }).app;
/** Issue 19's targets, measured on the project's 2-core machine. */
const TARGETS = {
  appStep: { wallSeconds: 1.0, rssMiB: 250 },
  synthCommand: { wallSeconds: 1.5 },
  tenants: { count: 1000, wallSeconds: 10, rssMiB: 1024 },
  tests: { wallSeconds: 60 },
  oneTenant: { wallSeconds: 1.0 },
} as const;

export interface RunResult {
  readonly wallSeconds: number;
  /** Largest peak RSS of one Node process of the run. */
  readonly peakRssMiB: number;
  /** Sum of the peak RSS of every Node process of the run (an upper bound of what ran at once, e.g. with workers). */
  readonly totalRssMiB: number;
  /** CPU time (user + system) of every Node process of the run. */
  readonly cpuSeconds: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const at = (index: number) => sorted[index] ?? Number.NaN;
  return sorted.length % 2 === 1 ? at(middle) : (at(middle - 1) + at(middle)) / 2;
}

/** One Node process of a measured run, as scripts/bench/rusage.mjs recorded it when it exited. */
export interface ProcessUsage {
  /** The script it ran (`process.argv[1]`; empty for `node -e` and the like). */
  readonly script: string;
  readonly maxRssKiB: number;
  readonly cpuMicros: number;
}

/** A run of a command: its wall time, each Node process it started, and the CPU time of every process. */
export interface ProcessesResult {
  readonly wallSeconds: number;
  readonly processes: readonly ProcessUsage[];
  /**
   * CPU time (user + system) of every process of the run, Node or not (git, terraform, native binaries), from the
   * kernel's account of this process's reaped children (`/proc/self/stat` cutime and cstime, which include their own
   * reaped children); `undefined` where that account is not available (not Linux).
   */
  readonly allCpuSeconds: number | undefined;
  readonly stdout: string;
}

let clockTicks: number | undefined;

/** CPU time of this process's reaped children so far, in seconds (Linux); `undefined` elsewhere. */
function childrenCpuSeconds(): number | undefined {
  try {
    clockTicks ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    // Fields after the command name (which may hold spaces and parentheses): state is field 3, cutime 16, cstime 17.
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[13]) + Number(fields[14]);
    return Number.isFinite(ticks) && clockTicks > 0 ? ticks / clockTicks : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `command` once, with the rusage preload in every Node process, and records each process; `env` is added to
 * this process's environment. Throws when the command fails.
 */
export function measureProcesses(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ProcessesResult {
  const work = mkdtempSync(join(tmpdir(), "platform-bench-"));
  const rusageFile = join(work, "rusage.jsonl");
  try {
    const childrenBefore = childrenCpuSeconds();
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, {
      cwd: options.cwd ?? ROOT,
      encoding: "utf8",
      env: { ...process.env, CHECKPOINT_DISABLE: "1", ...options.env, BENCH_RUSAGE_FILE: rusageFile, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import=${join(ROOT, "scripts", "bench", "rusage.mjs")}`.trim() },
    });
    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const childrenAfter = childrenCpuSeconds();
    if (result.status !== 0) {
      throw new Error(`${command} ${args.join(" ")} failed (exit ${result.status}):\n${result.stderr}`);
    }
    const processes = readFileSync(rusageFile, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as ProcessUsage);
    const allCpuSeconds = childrenBefore === undefined || childrenAfter === undefined ? undefined : childrenAfter - childrenBefore;
    return { wallSeconds, processes, allCpuSeconds, stdout: result.stdout };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** CPU time (user + system) of `processes`, in seconds. */
function cpuSecondsOf(processes: readonly ProcessUsage[]): number {
  return processes.reduce((sum, item) => sum + item.cpuMicros, 0) / 1e6;
}

/** A run's wall time, its largest and summed peak RSS, and its Node processes' CPU time. */
function summarize({ wallSeconds, processes }: ProcessesResult): RunResult {
  return {
    wallSeconds,
    peakRssMiB: Math.max(...processes.map((item) => item.maxRssKiB)) / 1024,
    totalRssMiB: processes.reduce((sum, item) => sum + item.maxRssKiB, 0) / 1024,
    cpuSeconds: cpuSecondsOf(processes),
  };
}

/** Runs `command` once (with the rusage preload in every Node process) and measures it; `env` is added to this process's. */
export function measure(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): RunResult {
  return summarize(measureProcesses(command, args, { env }));
}

/**
 * Runs the app step once (cdktf.json `app`, as `cdktf synth` runs it) and measures it. With `keepIn` (an empty
 * directory), it writes `keepIn/cdktf.out` and leaves it there; otherwise into a temporary directory it removes.
 */
export function runAppStep(options: { configDir?: string; stacks?: string; workers?: string; keepIn?: string }): RunResult {
  const out = options.keepIn ?? mkdtempSync(join(tmpdir(), "platform-bench-out-"));
  const env: NodeJS.ProcessEnv = { CDKTF_OUTDIR: join(out, "cdktf.out") };
  if (options.configDir) env.PLATFORM_CONFIG_DIR = resolve(options.configDir);
  if (options.stacks) env.STACKS = options.stacks;
  if (options.workers) env.PLATFORM_SYNTH_WORKERS = options.workers;
  const [command, ...args] = APP_COMMAND.split(/\s+/) as [string, ...string[]];
  try {
    return measure(command, args, env);
  } finally {
    if (!options.keepIn) rmSync(out, { recursive: true, force: true });
  }
}

/** Where `npm test`'s CPU time went, by kind of process (target 4). */
export interface SuiteCpu {
  readonly parts: readonly { readonly name: string; readonly cpuSeconds: number }[];
  /** Every process's, Node or not (see ProcessesResult.allCpuSeconds). */
  readonly allSeconds: number | undefined;
}

/**
 * `npm test`'s CPU time by kind of process: vitest (its worker threads run the test files), the Node processes the
 * tests start (the commands they prove end to end: the app, `npm run synth`, the cdktf CLI, the scripts, synthesis
 * workers), the type check and lint wrappers, npm itself, and other programs (not Node: git, terraform, the native
 * type checker and linter), which only the kernel's account of all processes shows.
 */
export function suiteCpu(result: ProcessesResult): SuiteCpu {
  const kinds = [
    { name: "vitest", test: (script: string) => /[/\\]vitest(?:[/\\]vitest\.mjs)?$/.test(script) },
    { name: "npm", test: (script: string) => /[/\\]np[mx]-cli\.js$/.test(script) },
    { name: "tsc and oxlint (wrappers)", test: (script: string) => /[/\\](?:tsc|oxlint)$/.test(script) },
  ];
  const kindOf = (item: ProcessUsage) => kinds.find((kind) => kind.test(item.script))?.name;
  const started = result.processes.filter((item) => kindOf(item) === undefined);
  const parts = [
    ...kinds.flatMap(({ name }) => {
      const items = result.processes.filter((item) => kindOf(item) === name);
      return items.length > 0 ? [{ name, cpuSeconds: cpuSecondsOf(items) }] : [];
    }),
    { name: `${started.length} Node processes the tests start`, cpuSeconds: cpuSecondsOf(started) },
    ...(result.allCpuSeconds === undefined ? [] : [{ name: "other programs (git, terraform, native tsc and oxlint)", cpuSeconds: Math.max(0, result.allCpuSeconds - cpuSecondsOf(result.processes)) }]),
  ];
  return { parts, allSeconds: result.allCpuSeconds };
}

/** `arg` quoted for sh. */
function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, "'\\''")}'`;
}

/** A floor run: its measurement, and the time its slowest process spent reading the synthesized JSON (which the app does not). */
export interface FloorResult extends RunResult {
  readonly readSeconds: number;
}

/**
 * The floor app (see --floor) on `synthesized` (a cdktf.out): the one `stack`, or every stack on as many processes
 * as the app step runs for that many stacks (`workerCount`, PLATFORM_SYNTH_WORKERS=auto), all at once.
 */
export function runFloor(synthesized: string, options: { fast: boolean; stack?: string; configDir?: string }): FloorResult {
  const out = mkdtempSync(join(tmpdir(), "platform-bench-floor-"));
  const floor = join(ROOT, "scripts", "bench", "floor.ts");
  const processes = options.stack ? 1 : workerCount(readdirSync(join(synthesized, "stacks")).length);
  const command = (index: number) =>
    [
      process.execPath,
      "--import",
      "tsx",
      floor,
      synthesized,
      join(out, `shard-${index}`),
      ...(options.fast ? ["--fast"] : []),
      ...(options.configDir ? ["--config", resolve(options.configDir)] : []),
      ...(options.stack ? ["--stack", options.stack] : ["--shard", `${index + 1}/${processes}`]),
    ]
      .map(shellQuote)
      .join(" ");
  try {
    // The shards run at once, as the app step's workers do; each prints its phases; the run fails if any shard fails.
    const phases = (index: number) => join(out, `phases-${index}.json`);
    const indexes = Array.from({ length: processes }, (_, index) => index);
    const script = `${indexes.map((index) => `${command(index)} > ${shellQuote(phases(index))} & p${index}=$!`).join("; ")}; status=0; ${indexes.map((index) => `wait $p${index} || status=1`).join("; ")}; exit $status`;
    const result = measure("sh", ["-c", script]);
    const readMs = indexes.map((index) => (JSON.parse(readFileSync(phases(index), "utf8")) as { readMs: number }).readMs);
    return { ...result, readSeconds: Math.max(...readMs) / 1000 };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** `npm run synth` end to end (the fast path of scripts/cdktf.ts), or `cdktf synth` through the CLI with `cli`. */
export function runSynthCommand(cli: boolean): RunResult {
  const out = mkdtempSync(join(tmpdir(), "platform-bench-out-"));
  try {
    return cli ? measure(join(ROOT, "node_modules", ".bin", "cdktf"), ["synth", "--output", join(out, "cdktf.out")], { CI: "1" }) : measure("npm", ["run", "--silent", "synth", "--", "--output", join(out, "cdktf.out")]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * A copy of the bundled configuration (data only) plus `count` generated shared tenants. `tenantsPerLoadBalancer`
 * (default: the project's) lets a test spread a few tenants over several ingress groups as many tenants would be.
 */
export function configWithTenants(count: number, environment = "prod", tenantsPerLoadBalancer?: number): string {
  const dir = mkdtempSync(join(tmpdir(), "platform-bench-config-"));
  const source = join(ROOT, "config");
  cpSync(source, dir, { recursive: true, filter: (path) => !path.startsWith(join(source, "schema")) && !path.endsWith(".ts") });
  mkdirSync(join(dir, "tenants"), { recursive: true });
  // Load balancers are filled as `npm run tenant -- add` fills them: the lowest ingress group with room first.
  const base = loadConfig(dir);
  const perLoadBalancer = tenantsPerLoadBalancer ?? base.project.tenancy.tenantsPerLoadBalancer;
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
  // Every tenant's NOOR has its own user on the environment's cache: a synthesis benchmark, not a deployable layout,
  // so the project states a quota of users per cache user group large enough for all of them.
  const projectFile = join(dir, "project.yaml");
  const project = parse(readFileSync(projectFile, "utf8")) as { tenancy?: Record<string, unknown> };
  // Likewise for load balancers: 5000 tenants need more than the default regional quota of 50.
  project.tenancy = {
    ...project.tenancy,
    tenantsPerLoadBalancer: perLoadBalancer,
    cacheUsersPerUserGroup: Math.max(base.project.tenancy.cacheUsersPerUserGroup, count + base.tenants.length + 10),
    loadBalancersPerRegion: Math.max(base.project.tenancy.loadBalancersPerRegion, ingressGroup + 20),
  };
  writeFileSync(projectFile, stringify(project));
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
    .description("Issue 19's targets next to their measurements (default), or one measurement: --config/--stacks, --tenants, --review")
    .option("--runs <n>", "measured runs (after one warm-up)", positiveInt, 5)
    .option("--config <dir>", "app step of this configuration directory only")
    .option("--stacks <pattern>", "app step with this STACKS filter only")
    .option("--tenants <counts>", "tenant scaling: comma-separated tenant counts, e.g. 10,100,1000,5000", (value) => value.split(",").map(positiveInt))
    .option("--workers <n>", "PLATFORM_SYNTH_WORKERS for the tenant runs (default auto)")
    .option("--review <counts>", "time the change report of one-tenant changes at these tenant counts, e.g. 10,1000", (value) => value.split(",").map(positiveInt))
    .option("--tests", "also run `npm test` once for target 4 (minutes)")
    .option("--cli", "also time `cdktf synth` through the CLI next to target 2")
    .option("--floor", "also time the floor of targets 1, 3 and 5: the same output written by a bare cdktf app")
    .option("--count <n>", "shared tenants of targets 3 and 5 (the targets are set for 1000)", positiveInt, TARGETS.tenants.count)
    .parse();
  const options = program.opts<{ runs: number; config?: string; stacks?: string; tenants?: number[]; workers?: string; review?: number[]; tests?: boolean; cli?: boolean; floor?: boolean; count: number }>();
  if (options.review) {
    benchReview(options.review, options.runs);
    return;
  }
  if (options.tenants) {
    benchTenants(options.tenants, options.runs, options.workers);
    return;
  }
  if (options.config || options.stacks) {
    const run = () => runAppStep({ ...(options.config ? { configDir: options.config } : {}), ...(options.stacks ? { stacks: options.stacks } : {}) });
    run(); // warm-up: file cache, tsx transform cache
    const results = Array.from({ length: options.runs }, run);
    process.stdout.write(`synth app step (${APP_COMMAND}), ${options.stacks ? `STACKS=${options.stacks}` : "all stacks"}, ${options.runs} runs after a warm-up, node ${process.version}\n  ${describe(results)}\n`);
    return;
  }
  benchTargets(options.runs, options.tests ?? false, options.cli ?? false, options.count, options.floor ?? false);
}

/** Median wall, CPU and memory of `results` in one line. */
function describe(results: readonly RunResult[]): string {
  const walls = results.map((r) => r.wallSeconds);
  return [
    `wall ${median(walls).toFixed(2)} s (${Math.min(...walls).toFixed(2)}–${Math.max(...walls).toFixed(2)})`,
    `CPU ${median(results.map((r) => r.cpuSeconds)).toFixed(2)} s`,
    `peak RSS ${median(results.map((r) => r.peakRssMiB)).toFixed(0)} MiB`,
    `all processes ${median(results.map((r) => r.totalRssMiB)).toFixed(0)} MiB`,
  ].join(", ");
}

function loadAverage(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");
}

/**
 * Issue 19's targets, each next to its measurement (medians of `runs` runs after a warm-up). The machine may be
 * shared: the load average is printed before and after, and CPU time (which load does not inflate as much) besides
 * wall time.
 */
function benchTargets(runs: number, tests: boolean, cli: boolean, count: number, floor: boolean): void {
  const rows: string[] = [];
  const row = (target: string, goal: string, measured: string, met: boolean | undefined) =>
    rows.push(`${target.padEnd(44)} ${goal.padEnd(20)} ${met === undefined ? "-    " : met ? "met  " : "MISSED"} ${measured}`);
  const startLoad = loadAverage();
  const times = <T>(run: () => T): T[] => {
    run(); // warm-up
    return Array.from({ length: runs }, run);
  };

  /** The app step's runs; with --floor, the last run's output is kept for the floor (the caller removes it). */
  const appSteps = (options: { configDir?: string }): { results: RunResult[]; kept?: string } => {
    if (!floor) return { results: times(() => runAppStep(options)) };
    let kept: string | undefined;
    const results = times(() => {
      if (kept) rmSync(kept, { recursive: true, force: true }); // an earlier run's, outside the measurement
      kept = mkdtempSync(join(tmpdir(), "platform-bench-kept-"));
      return runAppStep({ ...options, keepIn: kept });
    });
    return { results, ...(kept ? { kept } : {}) };
  };

  const { results: app, kept: bundledOutput } = appSteps({});
  const appWall = median(app.map((r) => r.wallSeconds));
  const appRss = median(app.map((r) => r.totalRssMiB));
  row("1 full bundled synthesis (app step)", `≤ ${TARGETS.appStep.wallSeconds} s, ≤ ${TARGETS.appStep.rssMiB} MB`, describe(app), appWall <= TARGETS.appStep.wallSeconds && appRss <= TARGETS.appStep.rssMiB);
  /** The floor rows of a target: the same output written by the floor app with cdktf's synthesis, then with ours. */
  const floorRow = (name: string, results: readonly FloorResult[]) =>
    row(name, "", `${describe(results)}; of the wall time, reading the synthesized JSON (the app does not) ${median(results.map((r) => r.readSeconds)).toFixed(2)} s`, undefined);
  /** The floor rows; returns the median CPU time of the last floor (our writer after loading the configuration). */
  const floorRows = (synthesized: string, configDir: string, options: { stack?: string }): number => {
    floorRow("  floor: bare cdktf app, app.synth()", times(() => runFloor(synthesized, { ...options, fast: false })));
    floorRow("  floor: bare cdktf app, our writer", times(() => runFloor(synthesized, { ...options, fast: true })));
    const withConfig = times(() => runFloor(synthesized, { ...options, fast: true, configDir }));
    floorRow("  floor, our writer + load the config", withConfig);
    return median(withConfig.map((r) => r.cpuSeconds));
  };
  if (bundledOutput) {
    try {
      floorRows(join(bundledOutput, "cdktf.out"), join(ROOT, "config"), {});
    } finally {
      rmSync(bundledOutput, { recursive: true, force: true });
    }
  }

  const synth = times(() => runSynthCommand(false));
  row("2 npm run synth end to end", `≤ ${TARGETS.synthCommand.wallSeconds} s`, describe(synth), median(synth.map((r) => r.wallSeconds)) <= TARGETS.synthCommand.wallSeconds);
  if (cli) row("  (cdktf synth through the CLI)", "", describe(times(() => runSynthCommand(true))), undefined);

  const dir = configWithTenants(count);
  try {
    const { results: full, kept: synthesized } = appSteps({ configDir: dir });
    const fullWall = median(full.map((r) => r.wallSeconds));
    const fullRss = median(full.map((r) => r.totalRssMiB));
    row(`3 ${count} shared tenants, all stacks`, `≤ ${TARGETS.tenants.wallSeconds} s, ≤ ${TARGETS.tenants.rssMiB} MB`, describe(full), fullWall <= TARGETS.tenants.wallSeconds && fullRss <= TARGETS.tenants.rssMiB);
    try {
      // On as many processes as the app step runs (its workers); the floor of target 5 is the one stack alone.
      if (synthesized) {
        const floorCpu = floorRows(join(synthesized, "cdktf.out"), dir, {});
        const stacks = readdirSync(join(synthesized, "cdktf.out", "stacks")).length;
        const left = cpuLeftAboveFloor({ cores: availableParallelism(), goalSeconds: TARGETS.tenants.wallSeconds, floorCpuSeconds: floorCpu, appCpuSeconds: median(full.map((r) => r.cpuSeconds)), stacks });
        row("  CPU the target leaves above the floor", "", left, undefined);
      }
      const one = times(() => runAppStep({ configDir: dir, stacks: oneTenantStack(count) }));
      if (tests) {
        const suite = measureProcesses("npm", ["test", "--silent"]);
        const cpu = suiteCpu(suite);
        row("4 npm test (one run)", `≤ ${TARGETS.tests.wallSeconds} s`, `wall ${suite.wallSeconds.toFixed(1)} s, CPU ${cpuSecondsOf(suite.processes).toFixed(1)} s (Node processes)`, suite.wallSeconds <= TARGETS.tests.wallSeconds);
        row("  CPU by process", "", cpu.parts.map((part) => `${part.name} ${part.cpuSeconds.toFixed(1)} s`).join("; "), undefined);
        if (cpu.allSeconds !== undefined) {
          const cores = availableParallelism();
          row("  all CPU / cores", "", `${cpu.allSeconds.toFixed(1)} s / ${cores} = ${(cpu.allSeconds / cores).toFixed(1)} s: the least wall time this work takes here`, undefined);
        }
      } else {
        row("4 npm test", `≤ ${TARGETS.tests.wallSeconds} s`, "not measured (pass --tests)", undefined);
      }
      row(`5 one tenant out of ${count}`, `≤ ${TARGETS.oneTenant.wallSeconds} s`, describe(one), median(one.map((r) => r.wallSeconds)) <= TARGETS.oneTenant.wallSeconds);
      if (synthesized) floorRows(join(synthesized, "cdktf.out"), dir, { stack: oneTenantStack(count) });
    } finally {
      if (synthesized) rmSync(synthesized, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(
    [
      `issue 19 targets: median of ${runs} runs after a warm-up, node ${process.version}, ${availableParallelism()} cores; load average ${startLoad} (start), ${loadAverage()} (end)`,
      `${"target".padEnd(44)} ${"goal".padEnd(20)} status measured (RSS: peak of one process / sum over all processes of a run)`,
      ...rows,
      "",
    ].join("\n"),
  );
}

/**
 * What target 3 leaves for the app's own work: the CPU time its goal allows on all cores, less the floor's with the
 * configuration, per stack, next to the app's CPU time per stack. The app can meet the goal only if its work beyond
 * the floor's fits in that (and only if both cores are busy all the time).
 */
export function cpuLeftAboveFloor(run: { cores: number; goalSeconds: number; floorCpuSeconds: number; appCpuSeconds: number; stacks: number }): string {
  const allowed = run.cores * run.goalSeconds;
  const left = allowed - run.floorCpuSeconds;
  const perStack = (seconds: number) => `${((seconds / run.stacks) * 1000).toFixed(1)} ms per stack`;
  const app = `the app uses ${perStack(run.appCpuSeconds)} (${run.appCpuSeconds.toFixed(2)} s)`;
  if (left <= 0) return `none: ${run.cores} cores × ${run.goalSeconds} s = ${allowed} s of CPU, the floor alone takes ${run.floorCpuSeconds.toFixed(2)} s; ${app}`;
  return `${run.cores} cores × ${run.goalSeconds} s − ${run.floorCpuSeconds.toFixed(2)} s = ${left.toFixed(2)} s of CPU, ${perStack(left)} (${run.stacks} stacks); ${app}`;
}

/** The generated tenant stack a selective synthesis of `count` tenants picks (one in the middle). */
function oneTenantStack(count: number): string {
  return `prod-tenant-bench${String(Math.floor(count / 2)).padStart(4, "0")}`;
}

function benchTenants(counts: readonly number[], runs: number, workers?: string): void {
  const rows: string[] = [];
  let previous: { count: number; wall: number } | undefined;
  for (const count of counts) {
    const dir = configWithTenants(count);
    const one = oneTenantStack(count);
    const options = { configDir: dir, ...(workers ? { workers } : {}) };
    runAppStep(options); // warm-up
    const full = Array.from({ length: runs }, () => runAppStep(options));
    const selective = Array.from({ length: runs }, () => runAppStep({ ...options, stacks: one }));
    rmSync(dir, { recursive: true, force: true });
    const fullWall = median(full.map((r) => r.wallSeconds));
    rows.push(
      [
        String(count).padStart(5),
        `${fullWall.toFixed(2)} s`.padStart(9),
        `${median(full.map((r) => r.cpuSeconds)).toFixed(2)} s`.padStart(9),
        previous ? `${(((fullWall - previous.wall) / (count - previous.count)) * 1000).toFixed(1)} ms`.padStart(10) : "-".padStart(10),
        `${median(full.map((r) => r.peakRssMiB)).toFixed(0)} MiB`.padStart(9),
        `${median(full.map((r) => r.totalRssMiB)).toFixed(0)} MiB`.padStart(9),
        `${median(selective.map((r) => r.wallSeconds)).toFixed(2)} s`.padStart(9),
        `${median(selective.map((r) => r.peakRssMiB)).toFixed(0)} MiB`.padStart(9),
      ].join(" | "),
    );
    previous = { count, wall: fullWall };
  }
  process.stdout.write(
    [
      `tenants: median of ${runs} runs after a warm-up (app step, ${APP_COMMAND}, PLATFORM_SYNTH_WORKERS=${workers ?? "auto"}), node ${process.version}; load average ${loadAverage()}`,
      "    N | full wall |  full CPU | +ms/tenant | peak RSS | all procs | one wall |  one RSS   (+ms/tenant: marginal wall vs the previous N; all procs: sum of every process's peak)",
      ...rows,
      `targets: ${TARGETS.tenants.count} shared tenants ≤ ${TARGETS.tenants.wallSeconds} s and ≤ ${TARGETS.tenants.rssMiB} MB on both cores; one tenant out of ${TARGETS.tenants.count} ≤ ${TARGETS.oneTenant.wallSeconds} s; growth linear in N`,
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
        const run = (): RunResult => {
          // The review runs as CI runs it: the repository's own scripts/review.ts, from the repository.
          const result = measureProcesses(process.execPath, ["--import", "tsx", join("scripts", "review.ts"), "--base", "HEAD"], { cwd: repo });
          if (!change.expect.test(result.stdout)) throw new Error(`unexpected report for "${change.name}":\n${result.stdout.slice(0, 2000)}`);
          return summarize(result);
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
