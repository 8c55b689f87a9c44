import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

// Version support is evaluated on a fixed day in tests (config/runtime-options.ts supportDate), so the suite gives the
// same result on any day; `npm run synth` and the weekly `npm run versions` workflow use the real date.
process.env.PLATFORM_SUPPORT_DATE ??= "2026-12-06";

/**
 * A call that starts another process (node:child_process), directly or through the sharded synthesis driver, or runs
 * the policy mutation suite (in process, but as long as the longest of those: ~70 syntheses in its beforeAll).
 */
const STARTS_PROCESS = /\b(?:spawnSync|spawn|execFileSync|execFile|execSync|fork|runSynthesis|runMutationSuite)\(/;

/**
 * Test file order: the files that start processes (the cdktf CLI, `npm run synth`, the review, policy and CI scripts,
 * sharded synthesis workers) first, then the rest; within each group vitest's own order (failed first, then longest
 * by the previous run's durations, or the largest file when there is none, as on a fresh clone: `npm ci` removes
 * vitest's results cache). With two workers, a long file started last keeps one core busy while the other idles; by
 * file size alone several of the longest files (short files that start a process) came near the end.
 */
class ProcessesFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const first = new Set(sorted.filter((file) => STARTS_PROCESS.test(readFileSync(file.moduleId, "utf8"))));
    return [...sorted.filter((file) => first.has(file)), ...sorted.filter((file) => !first.has(file))];
  }
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/support/setup.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    // Synthesizing provider-heavy stacks takes a few seconds on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Worker threads: the full suite took 446 s against 507 s with forks on this 2-core machine (load about 2, both
    // green; `npx vitest run --pool=threads` vs the fresh-clone CI run on forks, 2026-12-06).
    pool: "threads",
    // At least two workers: vitest's default for `vitest run` is one fewer than the cores, i.e. ONE worker on a 2-core
    // machine, which left a core idle whenever a test was not waiting on a process it started. More cores: vitest's
    // default.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Test files of a worker share one module graph: cdktf, the provider bindings and the project's modules are
    // imported once per worker instead of once per file (the suite spent 94 s importing and 39 s in setup files at
    // 172 files). No test depends on fresh module state: tests never assign process.env (they pass `env` to the
    // processes they start), and the project's module-level caches are keyed by what they cache.
    isolate: false,
    // The files that start processes first (ProcessesFirstSequencer): none of the longest is left for the end.
    sequence: { sequencer: ProcessesFirstSequencer },
  },
});
