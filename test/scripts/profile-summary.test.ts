/**
 * The profile summary's accounts: self time by module and function, and time by phase of a synthesis (each sample in
 * the phase of its innermost frame that names one), and that the phases still name functions that exist.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { phaseTimes, summarize, SYNTHESIS_PHASES, type CpuProfile } from "../../scripts/profile-summary";

const ROOT = resolve(__dirname, "../..");
const file = (path: string) => `file://${join(ROOT, path)}`;
const cdktf = (path: string) => `file://${join(ROOT, "node_modules", path)}`;

/**
 * root ─ main (Module._compile) ─ buildApp closure (stacks/app.ts) ─ a lazily loaded module (Module._load)
 *                               └ writeStack ─ resolveStack ─ Tokenization.resolve ─ resolve.js
 *                                           └ stableJson
 *      └ (garbage collector), (idle), a frame no phase names
 */
function profile(): CpuProfile {
  const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
  return {
    nodes: [
      { id: 1, callFrame: frame("(root)", ""), children: [2, 20, 21, 22] },
      { id: 2, callFrame: frame("Module._compile", "node:internal/modules/cjs/loader"), children: [3, 5] },
      { id: 3, callFrame: frame("", file("stacks/app.ts")), children: [4] },
      { id: 4, callFrame: frame("Module._load", "node:internal/modules/cjs/loader") },
      { id: 5, callFrame: frame("writeStack", file("stacks/synthesize.ts")), children: [6, 9] },
      { id: 6, callFrame: frame("resolveStack", file("stacks/fast-synth.ts")), children: [7] },
      { id: 7, callFrame: frame("resolve", cdktf("cdktf/lib/tokens/token.js")), children: [8] },
      { id: 8, callFrame: frame("resolve", cdktf("cdktf/lib/tokens/private/resolve.js")) },
      { id: 9, callFrame: frame("stableJson", file("stacks/stable-json.ts")) },
      { id: 20, callFrame: frame("(garbage collector)", "") },
      { id: 21, callFrame: frame("(idle)", "") },
      { id: 22, callFrame: frame("somewhere", "file:///elsewhere.js") },
    ],
    // self time (µs): 2: 1000, 3: 2000, 4: 4000, 5: 500, 6: 250, 7: 100, 8: 900, 9: 3000, 20: 7000, 21: 600, 22: 50
    samples: [2, 3, 4, 5, 6, 7, 8, 9, 20, 21, 22],
    timeDeltas: [1000, 2000, 4000, 500, 250, 100, 900, 3000, 7000, 600, 50],
    startTime: 0,
    endTime: 19_400,
  };
}

describe("phaseTimes", () => {
  const times = new Map(phaseTimes(profile()));

  it("counts each sample once, in the phase of its innermost frame that names one", () => {
    expect(times.get("cdktf: resolving tokens (Tokenization.resolve)")).toBe(1); // 7 and 8 (cdktf's resolver below it)
    expect(times.get("project: resolution walk and merge (fast-synth)")).toBe(0.25);
    expect(times.get("write: JSON text")).toBe(3);
    expect(times.get("write: files, assets, installing the output")).toBe(0.5);
    expect(times.get("build: constructs and stacks")).toBe(2);
    // a module loaded while the stacks are built is module loading; so is the entry module's own code
    expect(times.get("start-up and module loading")).toBe(5);
    expect(times.get("garbage collection")).toBe(7);
    expect(times.get("idle (waiting for workers, files)")).toBe(0.6);
    expect(times.get("other")).toBe(0.05);
    expect([...times.values()].reduce((sum, ms) => sum + ms, 0)).toBeCloseTo(19.4);
  });

  it("lists every phase, in order, and other last", () => {
    expect([...times.keys()]).toEqual([...SYNTHESIS_PHASES.map((phase) => phase.name), "other"]);
    expect(times.get("project: policy pack")).toBe(0);
  });

  it("agrees with the self-time summary on the total", () => {
    const summary = summarize(profile());
    const selfTotal = summary.byModule.reduce((sum, [, ms]) => sum + ms, 0);
    expect([...times.values()].reduce((sum, ms) => sum + ms, 0)).toBeCloseTo(selfTotal);
  });
});

describe("SYNTHESIS_PHASES", () => {
  const named = SYNTHESIS_PHASES.flatMap((phase) => phase.frames.filter((frame) => frame.file !== undefined).map((frame) => ({ phase: phase.name, file: frame.file as string, functionName: frame.functionName })));

  it.each(named)("$phase: $file exists and defines the function named", ({ file: path, functionName }) => {
    const project = join(ROOT, path);
    const dependency = join(dirname(require.resolve("cdktf/package.json")), "..", path);
    const found = [project, dependency].find((candidate) => existsSync(candidate));
    expect(found, `${path} is neither a project file nor a dependency's`).toBeDefined();
    const text = readFileSync(found as string, "utf8");
    const names = functionName === undefined ? [] : typeof functionName === "string" ? [functionName] : (functionName.source.match(/[A-Za-z]+/g) ?? []);
    for (const name of names) expect(text, `${path} defines ${name}`).toMatch(new RegExp(`(function\\s+${name}\\b|^\\s*(static\\s+|async\\s+)?${name}\\s*\\()`, "m"));
  });
});
