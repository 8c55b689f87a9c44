/**
 * The bench's account of `npm test`'s CPU time (target 4): each Node process by kind, and what is left of the kernel's
 * account of every process for the programs that are not Node; and the CPU time target 3 leaves above its floor.
 */
import { describe, expect, it } from "vitest";
import { cpuLeftAboveFloor, suiteCpu, type ProcessesResult } from "../../scripts/bench";

const run = (allCpuSeconds: number | undefined): ProcessesResult => ({
  wallSeconds: 100,
  stdout: "",
  allCpuSeconds,
  processes: [
    { script: "/repo/node_modules/.bin/vitest", maxRssKiB: 1, cpuMicros: 150e6 },
    { script: "/usr/lib/node_modules/npm/bin/npm-cli.js", maxRssKiB: 1, cpuMicros: 1e6 },
    { script: "/usr/lib/node_modules/npm/bin/npx-cli.js", maxRssKiB: 1, cpuMicros: 0.5e6 },
    { script: "/repo/node_modules/.bin/tsc", maxRssKiB: 1, cpuMicros: 0.25e6 },
    { script: "/repo/node_modules/.bin/oxlint", maxRssKiB: 1, cpuMicros: 0.25e6 },
    { script: "/repo/main.ts", maxRssKiB: 1, cpuMicros: 4e6 },
    { script: "/repo/scripts/lib/synth/worker.ts", maxRssKiB: 1, cpuMicros: 3e6 },
    { script: "/repo/node_modules/cdktf-cli/bundle/bin/cdktf", maxRssKiB: 1, cpuMicros: 5e6 },
    { script: "", maxRssKiB: 1, cpuMicros: 1e6 },
  ],
});

describe("suiteCpu", () => {
  it("sums each kind of Node process, and gives the rest of all processes' CPU to the programs that are not Node", () => {
    const cpu = suiteCpu(run(180));
    expect(cpu.parts).toEqual([
      { name: "vitest", cpuSeconds: 150 },
      { name: "npm", cpuSeconds: 1.5 },
      { name: "tsc and oxlint (wrappers)", cpuSeconds: 0.5 },
      { name: "4 Node processes the tests start", cpuSeconds: 13 },
      { name: "other programs (git, terraform, native tsc and oxlint)", cpuSeconds: 15 },
    ]);
    expect(cpu.allSeconds).toBe(180);
  });

  it("leaves the other programs out where the kernel's account is not available", () => {
    const cpu = suiteCpu(run(undefined));
    expect(cpu.parts.map((part) => part.name)).not.toContain("other programs (git, terraform, native tsc and oxlint)");
    expect(cpu.allSeconds).toBeUndefined();
  });
});

describe("cpuLeftAboveFloor", () => {
  it("gives the CPU the goal allows on all cores less the floor's, per stack, beside the app's", () => {
    expect(cpuLeftAboveFloor({ cores: 2, goalSeconds: 10, floorCpuSeconds: 14.5, appCpuSeconds: 75, stacks: 1000 })).toBe(
      "2 cores × 10 s − 14.50 s = 5.50 s of CPU, 5.5 ms per stack (1000 stacks); the app uses 75.0 ms per stack (75.00 s)",
    );
  });

  it("says none is left when the floor alone takes all the goal allows", () => {
    expect(cpuLeftAboveFloor({ cores: 2, goalSeconds: 1, floorCpuSeconds: 2.2, appCpuSeconds: 5.2, stacks: 14 })).toBe(
      "none: 2 cores × 1 s = 2 s of CPU, the floor alone takes 2.20 s; the app uses 371.4 ms per stack (5.20 s)",
    );
  });
});
