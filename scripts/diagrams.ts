/**
 * `npm run diagrams`: writes docs/architecture/<env>.md and docs/architecture/tenant-<id>.md (Mermaid, rendered
 * by GitHub) from the configuration and the synthesized stacks (scripts/lib/review/diagram.ts). A test fails
 * while a committed page is stale, and every diagram is parsed with Mermaid's own parser in the tests.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, type PlatformConfig } from "../config/loader";
import { readRuntimeOptions } from "../config/runtime-options";
import type { SynthesizedStack } from "../constructs/policy/model";
import { readSynthesized, synthesizeBundled } from "./lib/bundled";
import { diagramPage, diagramTargets, renderDiagram } from "./lib/review/diagram";

export const ARCHITECTURE_DIR = join(__dirname, "..", "docs", "architecture");

/** Every page by file name, from already synthesized stacks. */
export function renderPages(config: PlatformConfig, stacks: ReadonlyMap<string, SynthesizedStack>): Record<string, string> {
  const pages: Record<string, string> = {};
  for (const target of diagramTargets(config)) {
    const infra = stacks.get(target.infra);
    const platform = stacks.get(target.platform);
    if (!infra || !platform) throw new Error(`diagrams: stacks ${target.infra} and ${target.platform} were not synthesized`);
    const dns = target.dns === undefined ? undefined : stacks.get(target.dns);
    if (target.dns !== undefined && !dns) throw new Error(`diagrams: stack ${target.dns} was not synthesized`);
    pages[`${target.name}.md`] = diagramPage(target, renderDiagram(target, infra, platform, dns));
  }
  return pages;
}

async function main(): Promise<void> {
  const config = loadConfig(readRuntimeOptions(process.env, join(__dirname, "..", "config")).configDir);
  const patterns = diagramTargets(config).flatMap((target) => [target.dns, target.infra, target.platform].filter((name): name is string => name !== undefined));
  const outdir = await synthesizeBundled(config, { stackPatterns: patterns });
  try {
    const pages = renderPages(config, readSynthesized(outdir)); // every page rendered before any file is written
    mkdirSync(ARCHITECTURE_DIR, { recursive: true });
    for (const file of readdirSync(ARCHITECTURE_DIR)) if (file.endsWith(".md") && !(file in pages)) rmSync(join(ARCHITECTURE_DIR, file));
    for (const [file, content] of Object.entries(pages)) {
      writeFileSync(join(ARCHITECTURE_DIR, file), content);
      process.stdout.write(`wrote docs/architecture/${file}\n`);
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`diagrams: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
