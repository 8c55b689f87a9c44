/**
 * Runs the cdktf CLI offline-friendly: `npm run synth` synthesizes every stack; `npm run diff -- <stack>` and
 * `npm run deploy -- <stack> [cdktf options]` act on one stack and synthesize only that stack (STACKS=<stack>).
 * HashiCorp's version checkpoint is disabled (CHECKPOINT_DISABLE) so runs without internet stay quiet.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const USAGE = "usage: tsx scripts/cdktf.ts synth [cdktf options] | diff <stack> [options] | deploy <stack> [options]";

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1" };
  let args: string[];
  if (command === "synth") {
    args = ["synth", ...rest];
  } else if (command === "diff" || command === "deploy") {
    const stack = rest[0];
    if (!stack || stack.startsWith("-")) {
      process.stderr.write(`${command} needs exactly one stack name, e.g. npm run ${command} -- prod-infra\n${USAGE}\n`);
      return 2;
    }
    env.STACKS = stack;
    args = [command, stack, ...rest.slice(1)];
  } else {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const cli = join(__dirname, "..", "node_modules", ".bin", "cdktf");
  const result = spawnSync(cli, args, { stdio: "inherit", env });
  if (result.error) {
    process.stderr.write(`cannot run the cdktf CLI (${cli}): ${result.error.message}\n`);
    return 1;
  }
  return result.status ?? 1;
}

process.exit(main(process.argv.slice(2)));
