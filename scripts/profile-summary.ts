/**
 * Summarizes a V8 CPU profile (`node --cpu-prof`) by self time: per module (npm package, or project folder such as
 * `constructs/policy`), per function, and the time spent loading modules (self time under require/import).
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx main.ts
 *   npx tsx scripts/profile-summary.ts /tmp/prof/CPU.*.cpuprofile [--top 25]
 */
import { readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
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

function main(): void {
  const program = new Command().argument("<profile>", ".cpuprofile file").option("--top <n>", "rows per table", (value) => Number(value), 25).parse();
  const { top } = program.opts<{ top: number }>();
  const summary = summarize(JSON.parse(readFileSync(program.args[0] as string, "utf8")) as CpuProfile);
  const row = ([name, ms]: [string, number]) => `${ms.toFixed(0).padStart(7)} ms ${((ms / summary.totalMs) * 100).toFixed(1).padStart(5)}%  ${name}`;
  process.stdout.write(
    [
      `profile: ${summary.totalMs.toFixed(0)} ms`,
      "self time by module:",
      ...summary.byModule.slice(0, top).map(row),
      "self time by function:",
      ...summary.byFunction.slice(0, top).map(row),
      "",
    ].join("\n"),
  );
}

if (require.main === module) main();
