/**
 * Converts the release facts of the GitHub Actions the workflows use (`../shared/upstream/github-actions.md`: action,
 * newest release tag, its commit SHA, date, `runs.using`) into `scripts/lib/data/github-actions.json`, so the workflow
 * generator and its tests never read `../shared`. Facts only: no upgrade notes. Actions the upstream table does not
 * list are recorded in EXTRA_PINS below with where their SHA was read.
 *
 *   npx tsx scripts/convert-github-actions.ts [upstream-file]     (npm run actions:pins)
 *   (default: ../shared/upstream/github-actions.md next to this repository)
 *
 * The workflows pin every action as `owner/repo[/path]@<40-hex commit SHA> # <tag>` (scripts/lib/workflows.ts).
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export const ACTION_PINS_FILE = join(__dirname, "lib", "data", "github-actions.json");

export interface ActionPin {
  /** `owner/repo` (the repository the SHA belongs to). */
  readonly repository: string;
  /** Release tag the SHA is the (peeled) commit of. */
  readonly tag: string;
  readonly sha: string;
  /** Commit date (YYYY-MM-DD). */
  readonly date: string;
  /** `runs.using` of the action(s) the workflows use at that tag. */
  readonly using: string;
  /** Where the facts were read. */
  readonly source: string;
}

export interface ActionPins {
  readonly $comment: string;
  readonly actions: Readonly<Record<string, ActionPin>>;
}

/**
 * Actions the upstream table does not list. infracost/actions: read from a snapshot of the public repository
 * (github.com/infracost/actions, newest commit 2026-08-21): `git rev-parse v4.2.0^{commit}`, tag v4.2.0 (a lightweight
 * tag; `v4` points at the same commit), `setup/action.yml` at that tag says `runs.using: node24` and keeps the v3 inputs
 * (`api-key`, `version`, `currency`, `pricing-api-endpoint`, `enable-dashboard`, `github-token`).
 */
export const EXTRA_PINS: Readonly<Record<string, ActionPin>> = {
  "infracost/actions": {
    repository: "infracost/actions",
    tag: "v4.2.0",
    sha: "fb736a8f219195d6efdca58682069b16fe1bc280",
    date: "2026-06-23",
    using: "node24",
    source: "repository snapshot github.com/infracost/actions: v4.2.0^{commit}; setup/action.yml runs.using node24",
  },
};

const SHA = /^[0-9a-f]{40}$/;

/** Parses the upstream markdown table: one pin per action row (the newest release column). */
export function parseActionTable(markdown: string, sourceName: string): Record<string, ActionPin> {
  const pins: Record<string, ActionPin> = {};
  for (const line of markdown.split("\n")) {
    if (!line.startsWith("| ") || line.startsWith("| action |") || line.startsWith("|---")) continue;
    const cells = line.split("|").slice(1, -1).map((cell) => cell.trim());
    const [action, release, sha, date, using] = cells;
    if (!action || !release || !sha || !date || !using) continue;
    const repository = /^([\w.-]+\/[\w.-]+)/.exec(action)?.[1];
    const tag = /^(v\d+(?:\.\d+)*)/.exec(release)?.[1];
    const commit = sha.replaceAll("`", "");
    if (!repository || !tag || !SHA.test(commit)) throw new Error(`${sourceName}: cannot read the row "${line}"`);
    // codeql-action's row names the node version of its upload-sarif sub-action ("`upload-sarif`: node24 (...)").
    const runtime = /node\d+/.exec(using)?.[0];
    if (!runtime) throw new Error(`${sourceName}: no node runtime in the row of ${repository}`);
    pins[repository] = { repository, tag, sha: commit, date, using: runtime, source: `${sourceName} (newest release column)` };
  }
  if (Object.keys(pins).length === 0) throw new Error(`${sourceName}: no action rows found`);
  return pins;
}

export function readActionPins(file: string = ACTION_PINS_FILE): ActionPins {
  return JSON.parse(readFileSync(file, "utf8")) as ActionPins;
}

function main(argv: string[]): void {
  const source = resolve(argv[0] ?? join(__dirname, "..", "..", "shared", "upstream", "github-actions.md"));
  const text = readFileSync(source, "utf8");
  const parsed = parseActionTable(text, "../shared/upstream/github-actions.md");
  const actions = Object.fromEntries(Object.entries({ ...parsed, ...EXTRA_PINS }).sort(([a], [b]) => a.localeCompare(b)));
  const pins: ActionPins = {
    $comment: `Converted by scripts/convert-github-actions.ts from ../shared/upstream/github-actions.md (upstream sha256 ${createHash("sha256").update(text).digest("hex")}) plus its EXTRA_PINS; facts only.`,
    actions,
  };
  mkdirSync(dirname(ACTION_PINS_FILE), { recursive: true });
  writeFileSync(ACTION_PINS_FILE, `${JSON.stringify(pins, null, 1)}\n`);
  process.stdout.write(`wrote ${ACTION_PINS_FILE} (${Object.keys(actions).length} actions)\n`);
}

if (require.main === module) main(process.argv.slice(2));
