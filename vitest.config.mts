import { defineConfig } from "vitest/config";

// Version support is evaluated on a fixed day in tests (config/runtime-options.ts supportDate), so the suite gives the
// same result on any day; `npm run synth` and the weekly `npm run versions` workflow use the real date.
process.env.PLATFORM_SUPPORT_DATE ??= "2026-12-06";

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
  },
});
