/**
 * Runs a command's `main` and sets the exit code: its result, 2 for a configuration error (its report, no stack
 * trace), 1 for anything else (with the stack). Shared by the commands that report through ConfigError.
 */
import { ConfigError } from "../../config/errors";

export function runCommand(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof ConfigError) {
        process.stderr.write(`${error.message}\n`);
        process.exitCode = 2;
        return;
      }
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
