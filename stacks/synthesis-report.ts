/**
 * The report of a failed synthesis: every problem of every stack, each at the configuration key (file:line) that
 * produced the resource it concerns (stacks/provenance.ts), with the resource's construct path — in the
 * configuration directory that was loaded.
 */
import type { PlatformConfig } from "../config/loader";
import { formatPath, maskSecretsInText } from "../config/errors";
import { configOrigin, stackOwners } from "./provenance";
import type { SynthesisProblem } from "./synthesize";

interface Located {
  readonly file: string;
  readonly line: number;
  readonly heading: string;
  readonly problem: SynthesisProblem;
}

/** CDK's decoration of a validation message that cdktf adds when it throws (not ours to repeat). */
const CDKTF_HINT = /\n\s*If you wish to ignore these validations.*$/s;

export function formatSynthesisProblems(config: PlatformConfig, problems: readonly SynthesisProblem[]): string {
  const owners = stackOwners(config);
  const located: Located[] = problems.map((problem) => {
    const origin = configOrigin(config, problem.path, owners);
    if (!origin) return { file: "~", line: 0, heading: `stack ${problem.stack}`, problem };
    const position = origin.source.locate(origin.path);
    const where = position ? `${origin.source.file}:${position.line}:${position.column}` : origin.source.file;
    const key = origin.path.length === 0 ? "(file)" : formatPath(origin.path);
    return { file: origin.source.file, line: position?.line ?? 0, heading: `${where}  ${key}${origin.written ? "" : " (not written in this file: defaults apply; write the key to change it)"}`, problem };
  });
  located.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.problem.path.localeCompare(b.problem.path));
  const stacks = new Set(problems.map((problem) => problem.stack));
  const lines = [`Synthesis failed: ${problems.length} problem${problems.length === 1 ? "" : "s"} in ${stacks.size} stack${stacks.size === 1 ? "" : "s"} (every stack was checked); nothing was written.`];
  for (const { heading, problem } of located) {
    lines.push("", heading, `    stack:    ${problem.stack}`, ...(problem.path === problem.stack ? [] : [`    resource: ${problem.path}`]), `    problem:  ${maskSecretsInText(problem.message.replace(CDKTF_HINT, ""))}`);
  }
  return `${lines.join("\n")}\n`;
}
