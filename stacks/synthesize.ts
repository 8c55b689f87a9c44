/**
 * Synthesis that checks every stack before anything is written, and writes all or nothing.
 *
 * cdktf's `App.synth()` checks and writes one stack at a time: the first stack whose validations fail (policy pack,
 * RPO check, undeclared references) stops the run, the stacks after it are never checked, and the stacks before it
 * are already on disk. Here:
 *
 * 1. every stack's validations run (after its aspects, as cdktf runs them) and every problem of every stack is
 *    collected, each with the construct path it was raised on;
 * 2. only when no stack has a problem are the stacks written, into a fresh temporary directory beside the output
 *    directory;
 * 3. that output is then moved into place file by file (renames on one file system): each stack's `cdk.tf.json`
 *    and assets, then `manifest.json`. Whatever else the output directory holds is kept: `.terraform/` working
 *    directories, lock files, plans and a local state file (the bootstrap stack's first apply keeps its state next
 *    to its `cdk.tf.json`) are never touched.
 *
 * On failure the temporary directory is removed and the output directory is exactly as it was. This works for the
 * app run directly and under the cdktf CLI, which passes its output directory to the app (CDKTF_OUTDIR) and reads
 * the manifest afterwards.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { createRequire } from "node:module";
import { AnnotationMetadataEntryType, App, TerraformStack, type IStackSynthesizer, type ISynthesisSession, type StackAnnotation } from "cdktf";
import { ConstructOrder } from "constructs";
import type { IConstruct, IValidation } from "constructs";
import { stableJson } from "./stable-json";

/** One problem found while checking a stack. */
export interface SynthesisProblem {
  readonly stack: string;
  /** Construct path the problem was raised on (a resource, or the stack itself). */
  readonly path: string;
  readonly message: string;
}

/** Thrown when any stack has a problem; nothing was written. */
export class SynthesisError extends Error {
  constructor(readonly problems: readonly SynthesisProblem[]) {
    super(`Synthesis failed (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was written.`);
    this.name = "SynthesisError";
  }
}

interface SynthesizerModule {
  invokeAspects(root: IConstruct): void;
  /** the synthesizer cdktf gives each stack (exported by the module, not by the package root's typings) */
  StackSynthesizer: abstract new (...args: never[]) => IStackSynthesizer;
}

interface VersionValidationModule {
  ValidateTerraformVersion: new (constraint: string, hint: string) => IValidation;
}

// What each stack's synthesizer does before it writes (cdktf/lib/synthesize/synthesizer.js), which the package root
// does not export: invoke the aspects, and require Terraform >= 1.5 for a stack that moves resources; and its class.
const cdktfRequire = createRequire(__filename);
const { invokeAspects, StackSynthesizer } = cdktfRequire("cdktf/lib/synthesize/synthesizer") as SynthesizerModule;
const { ValidateTerraformVersion } = cdktfRequire("cdktf/lib/validations/validate-terraform-version") as VersionValidationModule;
/** cdktf's error for a stack with error annotations (cdktf/lib/errors.js), as its synthesizer throws it. */
const { encounteredAnnotationWithLevelError } = cdktfRequire("cdktf/lib/errors") as { encounteredAnnotationWithLevelError: (errors: string) => Error };

/** Every validation error of a stack, on the construct it was raised on (what cdktf's runAllValidations throws). */
function validationProblems(stack: TerraformStack): SynthesisProblem[] {
  return stack.node.findAll().flatMap((node) => node.node.validate().map((message) => ({ stack: stack.node.id, path: node.node.path, message })));
}

/**
 * Checks a stack (aspects, then validations) when cdktf asks its synthesizer to write it, and writes it only when
 * no stack so far has a problem; the run's problems are collected for the caller.
 */
class CheckedSynthesizer implements IStackSynthesizer {
  constructor(
    private readonly inner: IStackSynthesizer,
    private readonly stack: TerraformStack,
    private readonly problems: SynthesisProblem[],
  ) {}

  synthesize(session: ISynthesisSession): void {
    if (!session.skipValidation) {
      invokeAspects(this.stack);
      if (this.stack.hasResourceMove()) {
        this.stack.node.addValidation(new ValidateTerraformVersion(">=1.5", "Resource move functionality is only supported for Terraform >=1.5. Please upgrade your Terraform version."));
      }
      this.problems.push(...validationProblems(this.stack));
    }
    if (this.problems.length > 0) return; // nothing more is written once a problem is known
    try {
      const inner = this.inner as IStackSynthesizer & Partial<StackSynthesizerFields>;
      if (!(this.inner instanceof StackSynthesizer) || inner.hclOutput === true) {
        // Another synthesizer, or HCL output: cdktf's own, which runs the aspects again (each is idempotent).
        this.inner.synthesize({ ...session, skipValidation: true });
        return;
      }
      if (session.skipValidation) invokeAspects(this.stack); // otherwise they ran above
      writeStack(this.stack, session, inner.continueOnErrorAnnotations === true);
    } catch (error) {
      this.problems.push({ stack: this.stack.node.id, path: this.stack.node.path, message: (error as Error).message });
    }
  }
}

/** What cdktf's StackSynthesizer keeps from the App's options (private in its typings). */
interface StackSynthesizerFields {
  readonly continueOnErrorAnnotations: boolean;
  readonly hclOutput: boolean;
}

/** Where cdktf keeps a construct's custom synthesis (a TerraformAsset copies its files with it). */
const CUSTOM_SYNTHESIS = Symbol.for("cdktf/customSynthesis");
const ANNOTATION_LEVELS: readonly string[] = [AnnotationMetadataEntryType.INFO, AnnotationMetadataEntryType.WARN, AnnotationMetadataEntryType.ERROR];

/**
 * Writes a checked stack: cdktf 0.21's `StackSynthesizer.synthesize` (cdktf/lib/synthesize/synthesizer.js; 0.21 is
 * cdktf's last release) after its aspects and validations, step for step: the stack's manifest entry and working
 * directory, each construct's custom synthesis leaves first (assets), the annotations into the manifest and a failure
 * on an error annotation, then the JSON. Two differences, same bytes: the aspects are not invoked a second time (cdktf
 * forgets which ran: its record is local to each call), and the JSON is written with `stableJson` (stable-json.ts).
 */
function writeStack(stack: TerraformStack, session: ISynthesisSession, continueOnErrorAnnotations: boolean): void {
  const stackManifest = session.manifest.forStack(stack);
  const workingDirectory = join(session.outdir, stackManifest.workingDirectory);
  if (!existsSync(workingDirectory)) mkdirSync(workingDirectory);
  for (const node of stack.node.findAll(ConstructOrder.POSTORDER)) (node as { [CUSTOM_SYNTHESIS]?: { onSynthesize(session: ISynthesisSession): void } })[CUSTOM_SYNTHESIS]?.onSynthesize(session);
  const annotations: StackAnnotation[] = stack.node.findAll().flatMap((node) =>
    node.node.metadata.filter((metadata) => ANNOTATION_LEVELS.includes(metadata.type)).map((metadata) => ({ constructPath: node.node.path, level: metadata.type as AnnotationMetadataEntryType, message: metadata.data as string, stacktrace: metadata.trace })),
  );
  (stackManifest as { annotations: StackAnnotation[] }).annotations = annotations;
  const errors = annotations.filter((annotation) => annotation.level === AnnotationMetadataEntryType.ERROR);
  if (!continueOnErrorAnnotations && errors.length > 0) {
    throw encounteredAnnotationWithLevelError(errors.map((annotation) => `[${annotation.constructPath}] ${annotation.message}`).join("\n"));
  }
  writeFileSync(join(session.outdir, stackManifest.synthesizedStackPath), stableJson(stack.toTerraform()) ?? "");
}

/** The stacks of an app. */
function stacksOf(app: App): TerraformStack[] {
  return app.node.findAll().filter((node): node is TerraformStack => TerraformStack.isStack(node));
}

/**
 * Synthesizes `app` (created with its `outdir` set to a staging directory, see `stagingDirectory`) and checks every
 * stack first. Throws a SynthesisError listing every stack's problems; nothing is written then. `problems` may hold the
 * problems of apps synthesized before this one (a worker synthesizing its stacks in several apps): a stack is written
 * only while none is known, and the error lists them all.
 */
export function synthesizeChecked(app: App, problems: SynthesisProblem[] = []): void {
  for (const stack of stacksOf(app)) stack.synthesizer = new CheckedSynthesizer(stack.synthesizer, stack, problems);
  try {
    app.synth();
  } catch (error) {
    if (problems.length === 0) throw error;
  }
  if (problems.length > 0) throw new SynthesisError(problems);
}

/** A fresh, empty directory beside `outdir` (same file system, so its files can be renamed into place). */
export function stagingDirectory(outdir: string): string {
  const target = resolve(outdir);
  mkdirSync(dirname(target), { recursive: true });
  return mkdtempSync(join(dirname(target), `.${basename(target)}.staging-`));
}

/** Replaces `target` by `source` (a file or directory) with renames; an existing `target` is removed only after. */
function replace(source: string, target: string): void {
  if (!existsSync(target)) {
    renameSync(source, target);
    return;
  }
  const old = `${target}.old-${process.pid}`;
  renameSync(target, old);
  renameSync(source, target);
  rmSync(old, { recursive: true, force: true });
}

/**
 * Moves a successful synthesis from `staging` into `outdir`: each stack's generated entries (`cdk.tf.json`,
 * `assets/`), then the manifest. Other files of `outdir` are kept (see the module comment). Removes `staging`.
 */
export function installOutput(staging: string, outdir: string): void {
  const target = resolve(outdir);
  mkdirSync(join(target, "stacks"), { recursive: true });
  const stagedStacks = join(staging, "stacks");
  for (const stack of existsSync(stagedStacks) ? readdirSync(stagedStacks) : []) {
    const into = join(target, "stacks", stack);
    mkdirSync(into, { recursive: true });
    for (const entry of readdirSync(join(stagedStacks, stack))) replace(join(stagedStacks, stack, entry), join(into, entry));
  }
  for (const entry of readdirSync(staging)) {
    if (entry !== "stacks") replace(join(staging, entry), join(target, entry));
  }
  rmSync(staging, { recursive: true, force: true });
}

/**
 * Synthesizes into `outdir` all or nothing: builds the app with `build(stagingOutdir)`, checks every stack, writes
 * into a staging directory and moves the result into place. On any failure the staging directory is removed and
 * `outdir` is left exactly as it was.
 */
export async function synthesizeInto(outdir: string, build: (stagingOutdir: string) => Promise<App>): Promise<void> {
  const staging = stagingDirectory(outdir);
  try {
    const app = await build(staging);
    synthesizeChecked(app);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  installOutput(staging, outdir);
}
