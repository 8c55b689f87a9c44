/**
 * `cdktf synth` without the CLI (scripts/cdktf.ts): what @cdktf/cli-core 0.21 does around the app, done in-process.
 *
 * The CLI (cli-core/src/lib/synth-stack.js `SynthStack.synth`, cdktf-project.js `synth`, synth.js `printAnnotations`):
 * 1. lists the stack directories under `<outdir>/stacks/` before the app runs;
 * 2. runs the app (cdktf.json `app`) with CDKTF_OUTDIR=<outdir>, CDKTF_CONTEXT_JSON carrying `cdktfRelativeModules`
 *    (the relative paths among cdktf.json `terraformModules`) and SYNTH_HCL_OUTPUT=false; a failing app is reported
 *    with its stderr and exit 1;
 * 3. reads `<outdir>/manifest.json` and deletes the stack directories of step 1 that it no longer lists;
 * 4. prints every stack's annotations (`LEVEL [path]: message`), failing on an error annotation;
 * 5. prints "Generated Terraform code for the stacks: <names>".
 * Telemetry is off (CHECKPOINT_DISABLE) and HCL output is not requested, so nothing else happens. The app's code is
 * scripts/lib/synth/entry.ts, the code main.ts runs.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { synthesizeFromEnvironment } from "./entry";

interface CdktfJson {
  readonly output?: string;
  readonly terraformModules?: readonly (string | { readonly source: string })[];
}

interface Annotation {
  readonly constructPath: string;
  readonly level: string;
  readonly message: string;
  readonly stacktrace?: readonly string[];
}

/** cdktf's AnnotationMetadataEntryType values and the CLI's labels for them. */
const LEVELS: Readonly<Record<string, string>> = { "@cdktf/info": "INFO", "@cdktf/warn": "WARN", "@cdktf/error": "ERROR" };

/** Stack directories under `<outdir>/stacks` (the CLI's `getDirectories`). */
function stackDirectories(outdir: string): string[] {
  const stacks = join(outdir, "stacks");
  if (!existsSync(stacks)) return [];
  return readdirSync(stacks)
    .map((name) => join(stacks, name))
    .filter((path) => lstatSync(path).isDirectory());
}

/** Synthesizes as `cdktf synth [--output DIR]` run in `root` would; returns the exit code. */
export async function synthesizeWithoutCli(root: string, output?: string): Promise<number> {
  const cdktfJson = JSON.parse(readFileSync(join(root, "cdktf.json"), "utf8")) as CdktfJson;
  const outdir = resolve(output ?? cdktfJson.output ?? "cdktf.out");
  const existing = stackDirectories(outdir);
  const context = process.env.CDKTF_CONTEXT_JSON ? (JSON.parse(process.env.CDKTF_CONTEXT_JSON) as Record<string, unknown>) : {};
  const relativeModules = (cdktfJson.terraformModules ?? []).filter((module) => {
    const source = typeof module === "string" ? module : module.source;
    return source.startsWith("./") || source.startsWith("../");
  });
  // What the CLI puts in the app's environment; cdktf's App reads the context from process.env (so do workers).
  process.env.CDKTF_CONTEXT_JSON = JSON.stringify({ ...context, cdktfRelativeModules: relativeModules });
  process.env.SYNTH_HCL_OUTPUT = "false";
  const outcome = await synthesizeFromEnvironment({ ...process.env, CDKTF_OUTDIR: outdir }, join(root, "config"));
  if (outcome.exitCode !== 0) return outcome.exitCode;

  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as { stacks: Record<string, { name: string; annotations?: Annotation[] }> };
  const stacks = Object.values(manifest.stacks);
  const names = stacks.map((stack) => stack.name);
  for (const directory of existing) {
    if (!names.includes(basename(directory))) rmSync(directory, { recursive: true });
  }
  let annotationError = false;
  for (const stack of stacks) {
    for (const annotation of stack.annotations ?? []) {
      const level = LEVELS[annotation.level] ?? annotation.level;
      if (level === "ERROR") annotationError = true;
      process.stdout.write(`${level} [${annotation.constructPath}]: ${annotation.message}\n`);
      if (level === "ERROR" && annotation.stacktrace) process.stdout.write(`${annotation.stacktrace.join("\n")}\n`);
    }
  }
  if (annotationError) {
    process.stderr.write("While synthesizing one or more error annotations have been encountered. Please check the log output above.\n");
    return 1;
  }
  process.stdout.write(`Generated Terraform code for the stacks: ${names.join(", ")}\n`);
  return 0;
}
