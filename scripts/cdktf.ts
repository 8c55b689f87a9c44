/**
 * Runs cdktf offline-friendly: `npm run synth` synthesizes every stack; `npm run diff -- <stack>` and
 * `npm run deploy -- <stack> [cdktf options]` act on one stack through the cdktf CLI and synthesize only that stack
 * (STACKS=<stack>). HashiCorp's version checkpoint is disabled (CHECKPOINT_DISABLE) so runs without internet stay quiet.
 *
 * `npm run synth [-- --output DIR]` does not start the cdktf CLI: the CLI would start Node, then run the app
 * (cdktf.json `app`, main.ts) in a second process, and afterwards only read the manifest back and delete the stack
 * directories of stacks no longer synthesized. Here the app's code runs in this process (scripts/lib/synth/entry.ts,
 * the same code main.ts runs) with what the CLI gives the app (its output directory and context), and the CLI's
 * post-processing is done here (scripts/lib/synth/cli-post.ts). The files written are byte for byte those of
 * `cdktf synth` (test/scripts/cdktf.test.ts compares both). Any other synth option (`--hcl`, `--app`, ...) or
 * `--cli` runs the real CLI; `npx cdktf synth`, `diff` and `deploy` are unchanged.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const USAGE = "usage: tsx scripts/cdktf.ts synth [--output DIR | --cli [cdktf options]] | diff <stack> [options] | deploy <stack> [options]";
const ROOT = join(__dirname, "..");

/** The output directory when `args` are only the options the fast path supports (`--output DIR`); else undefined. */
export function fastSynthOutput(args: readonly string[]): { readonly output?: string } | undefined {
  if (args.length === 0) return {};
  if (args.length === 1 && args[0]?.startsWith("--output=")) return { output: args[0].slice("--output=".length) };
  if (args.length === 2 && (args[0] === "--output" || args[0] === "-o") && args[1] !== undefined && !args[1].startsWith("-")) return { output: args[1] };
  return undefined;
}

function runCli(args: readonly string[], env: NodeJS.ProcessEnv): number {
  const cli = join(ROOT, "node_modules", ".bin", "cdktf");
  const result = spawnSync(cli, args, { stdio: "inherit", env });
  if (result.error) {
    process.stderr.write(`cannot run the cdktf CLI (${cli}): ${result.error.message}\n`);
    return 1;
  }
  return result.status ?? 1;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1" };
  if (command === "synth") {
    const fast = fastSynthOutput(rest);
    if (!fast) return runCli(["synth", ...rest.filter((arg) => arg !== "--cli")], env);
    const { synthesizeWithoutCli } = await import("./lib/synth/cli-post");
    return synthesizeWithoutCli(ROOT, fast.output);
  }
  if (command === "diff" || command === "deploy") {
    const stack = rest[0];
    if (!stack || stack.startsWith("-")) {
      process.stderr.write(`${command} needs exactly one stack name, e.g. npm run ${command} -- prod-infra\n${USAGE}\n`);
      return 2;
    }
    env.STACKS = stack;
    return runCli([command, stack, ...rest.slice(1)], env);
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
