/**
 * The refactor-safety record (`state-addresses/<stack>.json`): Terraform addresses of the stateful resources of
 * every bundled stack.
 *
 *   npm run addresses:update            rewrite the record from a fresh synth (deliberate renames, new stacks)
 *   npm run addresses:check             compare without writing; exit 1 on a problem (what the test checks)
 *
 * Stacks are synthesized in-process without validations; STACKS and PLATFORM_CONFIG_DIR apply (a filtered
 * update only rewrites the selected stacks' files).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, type PlatformConfig } from "../config/loader";
import { readRuntimeOptions } from "../config/runtime-options";
import { type AddressRecord, checkAddresses, renderRecord, statefulAddresses } from "../constructs/policy/addresses";
import { readSynthesized, synthesizeBundled } from "./lib/bundled";

export const RECORD_DIR = join(__dirname, "..", "state-addresses");

export function readRecords(directory: string = RECORD_DIR): Map<string, AddressRecord> {
  if (!existsSync(directory)) return new Map();
  return new Map(
    readdirSync(directory)
      .filter((file) => file.endsWith(".json"))
      .map((file) => {
        const record = JSON.parse(readFileSync(join(directory, file), "utf8")) as AddressRecord;
        return [record.stack, record] as const;
      }),
  );
}

/**
 * Records the stateful addresses of new stacks of the bundled configuration (`npm run tenant -- add` calls it for the
 * tenant's stacks, so onboarding leaves nothing to regenerate). Never rewrites an existing record: a changed address
 * of an existing stack is a refactor, which `npm run addresses:update` records deliberately. Returns the files written.
 */
export async function recordNewStacks(config: PlatformConfig, names: readonly string[], directory: string = RECORD_DIR): Promise<string[]> {
  const existing = readRecords(directory);
  const wanted = names.filter((name) => !existing.has(name));
  if (wanted.length === 0) return [];
  process.setSourceMapsEnabled(false);
  const stacks = readSynthesized(await synthesizeBundled(config, { stackPatterns: wanted }));
  mkdirSync(directory, { recursive: true });
  const written: string[] = [];
  for (const [name, json] of stacks) {
    if (!wanted.includes(name)) continue;
    const file = join(directory, `${name}.json`);
    writeFileSync(file, renderRecord(statefulAddresses(json, name)));
    written.push(file);
  }
  return written;
}

async function main(argv: string[]): Promise<number> {
  // As in main.ts: cdktf records a stack trace per token; source-mapping them dominates synthesis time.
  process.setSourceMapsEnabled(false);
  const check = argv.includes("--check");
  const runtime = readRuntimeOptions(process.env, join(__dirname, "..", "config"));
  const stacks = readSynthesized(await synthesizeBundled(loadConfig(runtime.configDir), { stackPatterns: runtime.stackPatterns }));
  if (check) {
    const records = readRecords();
    const filtered = runtime.stackPatterns.length > 0 ? new Map([...records].filter(([name]) => stacks.has(name))) : records;
    const problems = checkAddresses(filtered, stacks);
    for (const problem of problems) process.stderr.write(`${problem.message}\n\n`);
    process.stdout.write(problems.length === 0 ? `state addresses: ${stacks.size} stacks match the record\n` : `state addresses: ${problems.length} problem(s)\n`);
    return problems.length === 0 ? 0 : 1;
  }
  mkdirSync(RECORD_DIR, { recursive: true });
  if (runtime.stackPatterns.length === 0) {
    for (const file of readdirSync(RECORD_DIR)) {
      if (file.endsWith(".json") && !stacks.has(file.slice(0, -".json".length))) rmSync(join(RECORD_DIR, file));
    }
  }
  let count = 0;
  for (const [name, json] of stacks) {
    const record = statefulAddresses(json, name);
    count += record.resources.length;
    writeFileSync(join(RECORD_DIR, `${name}.json`), renderRecord(record));
  }
  process.stdout.write(`wrote state-addresses/ for ${stacks.size} stacks (${count} stateful resources)\n`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
