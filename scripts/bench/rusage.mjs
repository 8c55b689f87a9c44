// Preloaded into every Node process of a benchmark run (NODE_OPTIONS=--import): appends this process's script, peak
// resident set size and CPU time (user + system, all its threads) to the file named by BENCH_RUSAGE_FILE when it exits.
import { appendFileSync } from "node:fs";

const file = process.env.BENCH_RUSAGE_FILE;
if (file) {
  process.on("exit", () => {
    const usage = process.resourceUsage();
    appendFileSync(file, `${JSON.stringify({ pid: process.pid, script: process.argv[1] ?? "", maxRssKiB: usage.maxRSS, cpuMicros: usage.userCPUTime + usage.systemCPUTime })}\n`);
  });
}
