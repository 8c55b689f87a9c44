/**
 * Summarizes a V8 CPU profile (`node --cpu-prof`) by self time: per module (npm package, or project folder such as
 * `constructs/policy`) and per function; with `--phases`, by phase of a synthesis (SYNTHESIS_PHASES: loading modules,
 * loading the configuration, building the constructs, cdktf's token resolution and element JSON, this project's
 * resolution walk, policy pack and reference check, writing, garbage collection), each sample counted once, in the
 * phase of its innermost frame that names one; `--stacks N` adds the time per stack.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx main.ts
 *   npx tsx scripts/profile-summary.ts /tmp/prof/CPU.*.cpuprofile [--top 25] [--phases [--stacks 1014]]
 */
import { readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, InvalidArgumentError } from "commander";

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

const ROOT = resolve(__dirname, "..");

/** The module a script URL belongs to: `pkg` / `@scope/pkg` for node_modules, the top folders for project files. */
export function moduleOf(url: string): string {
  if (url === "") return "(native/V8)";
  if (url.startsWith("node:")) return "node:internal";
  const path = url.startsWith("file://") ? fileURLToPath(url) : url;
  const nm = path.lastIndexOf("/node_modules/");
  if (nm >= 0) {
    const parts = path.slice(nm + "/node_modules/".length).split("/");
    return (parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]) ?? path;
  }
  if (!path.startsWith("/")) return `node:${path.split("/")[0]}`;
  const inProject = relative(ROOT, path);
  if (inProject.startsWith("..")) return path;
  const parts = inProject.split("/");
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : (parts[0] ?? inProject);
}

const sorted = (map: Map<string, number>): [string, number][] => [...map].sort((a, b) => b[1] - a[1]);

export interface ProfileSummary {
  readonly totalMs: number;
  readonly byModule: readonly [string, number][];
  readonly byFunction: readonly [string, number][];
}

export function summarize(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, index) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const modules = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, micros] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const module = frame.functionName.startsWith("(") ? frame.functionName : moduleOf(frame.url);
    modules.set(module, (modules.get(module) ?? 0) + micros / 1000);
    const where = frame.url ? `${moduleOf(frame.url)}:${frame.lineNumber + 1}` : "";
    const name = `${frame.functionName || "(anonymous)"} ${where}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + micros / 1000);
  }
  return { totalMs: (profile.endTime - profile.startTime) / 1000, byModule: sorted(modules), byFunction: sorted(functions) };
}

/** Frames a phase is named by: all given conditions hold (a file is a path suffix: `stacks/app.ts`, `cdktf/lib/x.js`). */
export interface PhaseFrame {
  readonly file?: string;
  readonly functionName?: string | RegExp;
  readonly urlPrefix?: string;
}

export interface Phase {
  readonly name: string;
  readonly frames: readonly PhaseFrame[];
}

/**
 * The phases of a synthesis (`node --import tsx main.ts`, a synthesis worker, `npm run synth`). A sample belongs to
 * the phase of its innermost frame that names one, so nested work is counted where it is done: cdktf's token
 * resolution inside this project's resolution walk is "cdktf: resolving tokens", a module loaded lazily while the
 * stacks are built is "start-up and module loading". test/scripts/profile-summary.test.ts checks that every named
 * function is still defined in its file.
 */
export const SYNTHESIS_PHASES: readonly Phase[] = [
  { name: "garbage collection", frames: [{ functionName: "(garbage collector)" }] },
  { name: "idle (waiting for workers, files)", frames: [{ functionName: "(idle)" }] },
  { name: "cdktf: resolving tokens (Tokenization.resolve)", frames: [{ file: "cdktf/lib/tokens/token.js", functionName: "resolve" }] },
  {
    name: "cdktf: elements' JSON (toTerraform, toMetadata)",
    frames: ["terraform-resource", "terraform-data-source", "terraform-provider", "terraform-output"].map((element) => ({ file: `cdktf/lib/${element}.js`, functionName: /^(toTerraform|toMetadata)$/ })),
  },
  { name: "project: resolution walk and merge (fast-synth)", frames: [{ file: "stacks/fast-synth.ts", functionName: "resolveStack" }] },
  { name: "project: policy pack", frames: [{ file: "constructs/policy/engine.ts", functionName: "evaluateStack" }] },
  { name: "project: undeclared-reference check", frames: [{ file: "constructs/core/references.ts", functionName: "undeclaredReferences" }] },
  { name: "aspects (cdktf's walk, this project's aspects)", frames: [{ file: "cdktf/lib/synthesize/synthesizer.js", functionName: "invokeAspects" }] },
  { name: "write: JSON text", frames: [{ file: "stacks/stable-json.ts", functionName: "stableJson" }] },
  { name: "write: files, assets, installing the output", frames: [{ file: "stacks/synthesize.ts", functionName: /^(writeStack|installOutput)$/ }] },
  { name: "other validations", frames: [{ file: "stacks/synthesize.ts", functionName: "validationProblems" }] },
  { name: "build: constructs and stacks", frames: [{ file: "stacks/app.ts" }] },
  { name: "load and validate the configuration", frames: [{ file: "config/loader.ts", functionName: "loadConfig" }] },
  { name: "start-up and module loading", frames: [{ urlPrefix: "node:internal/modules/" }, { urlPrefix: "node:internal/main/" }] },
  { name: "other synthesis steps (catalog, sharding, manifest)", frames: [{ file: "scripts/lib/synth/entry.ts" }, { file: "scripts/lib/synth/run.ts" }, { file: "scripts/lib/synth/shard.ts" }] },
];

const OTHER_PHASE = "other";

function pathOf(url: string): string {
  return url.startsWith("file://") ? fileURLToPath(url) : url;
}

function frameMatches(frame: CallFrame, pattern: PhaseFrame): boolean {
  const { functionName, file, urlPrefix } = pattern;
  if (functionName !== undefined && !(typeof functionName === "string" ? frame.functionName === functionName : functionName.test(frame.functionName))) return false;
  if (urlPrefix !== undefined && !frame.url.startsWith(urlPrefix)) return false;
  if (file !== undefined && !pathOf(frame.url).endsWith(`/${file}`)) return false;
  return true;
}

/** Milliseconds per phase, in the order of `phases`, then "other" (samples no phase names); every phase is listed. */
export function phaseTimes(profile: CpuProfile, phases: readonly Phase[] = SYNTHESIS_PHASES): [string, number][] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const phaseOf = new Map<number, string>();
  // A node's phase: its own frame's, else its parent's (memoized: a node's chain of callers is fixed).
  const resolvePhase = (id: number): string => {
    const known = phaseOf.get(id);
    if (known !== undefined) return known;
    const chain: number[] = [];
    let phase: string | undefined;
    for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
      phase = phaseOf.get(current);
      if (phase !== undefined) break;
      chain.push(current);
      const frame = byId.get(current)?.callFrame;
      phase = frame && phases.find((candidate) => candidate.frames.some((pattern) => frameMatches(frame, pattern)))?.name;
      if (phase !== undefined) break;
    }
    for (const visited of chain) phaseOf.set(visited, phase ?? OTHER_PHASE);
    return phase ?? OTHER_PHASE;
  };
  const totals = new Map<string, number>([...phases.map((phase): [string, number] => [phase.name, 0]), [OTHER_PHASE, 0]]);
  profile.samples.forEach((id, index) => {
    const phase = resolvePhase(id);
    totals.set(phase, (totals.get(phase) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  });
  return [...totals];
}

function count(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError("expected a whole number");
  return parsed;
}

function main(): void {
  const program = new Command()
    .argument("<profile>", ".cpuprofile file")
    .option("--top <n>", "rows per table", count, 25)
    .option("--phases", "time by phase of a synthesis (innermost named frame of each sample)")
    .option("--stacks <n>", "with --phases: the stacks the profiled process synthesized, for a column of time per stack", count)
    .parse();
  const { top, phases, stacks } = program.opts<{ top: number; phases?: boolean; stacks?: number }>();
  if (stacks !== undefined && (!phases || stacks === 0)) program.error(`error: --stacks ${stacks} needs --phases and at least one stack`);
  const file = program.args[0] as string;
  let profile: CpuProfile;
  try {
    profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
    if (!Array.isArray(profile.nodes) || !Array.isArray(profile.samples) || !Array.isArray(profile.timeDeltas)) throw new Error("not a V8 CPU profile (no nodes, samples and timeDeltas)");
  } catch (error) {
    return program.error(`error: ${file}: ${(error as Error).message}`);
  }
  const summary = summarize(profile);
  const row = ([name, ms]: [string, number]) => `${ms.toFixed(0).padStart(7)} ms ${((ms / summary.totalMs) * 100).toFixed(1).padStart(5)}%  ${name}`;
  const phaseRow = ([name, ms]: [string, number]) => `${ms.toFixed(0).padStart(7)} ms ${((ms / summary.totalMs) * 100).toFixed(1).padStart(5)}%${stacks ? ` ${(ms / stacks).toFixed(2).padStart(7)} ms/stack` : ""}  ${name}`;
  process.stdout.write(
    [
      `profile: ${summary.totalMs.toFixed(0)} ms`,
      ...(phases ? [`time by phase${stacks ? ` (${stacks} stacks)` : ""}:`, ...phaseTimes(profile).map(phaseRow)] : []),
      "self time by module:",
      ...summary.byModule.slice(0, top).map(row),
      "self time by function:",
      ...summary.byFunction.slice(0, top).map(row),
      "",
    ].join("\n"),
  );
}

if (require.main === module) main();
