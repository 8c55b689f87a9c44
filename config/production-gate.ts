/**
 * The policy gate cannot be switched off by configuration: an environment that deploys through production's GitHub
 * environment, or into a production account, is production and must use the production profile (its policy threshold,
 * production-only rules and stricter checks). Otherwise renaming a production environment's profile to `development`
 * would relax every check while it still deploys where production deploys.
 *
 * Production is recognised by:
 * - the GitHub environment: a name that says production (a word `prod`, `production`, `prd`, `live`: `production`,
 *   `prod-eu`, `live_us`). Two environments never share a GitHub environment (config/loader.ts, case-insensitive), so
 *   a non-production environment cannot use production's;
 * - the account: the account of a production-profile environment, or the bootstrap account (it holds the Terraform
 *   state and its stack is evaluated with the production profile) — unless project.yaml's account records why
 *   non-production environments share it (`sharedWithNonProduction`), which the README lists as a residual risk.
 * Each finding is a configuration error on the key that makes the environment production, in its file.
 */
import type { ConfigIssue } from "./errors";
import { accountNameOf } from "./schema/accounts";
import type { EnvironmentConfig } from "./schema/environment";
import type { ProjectConfig } from "./schema/project";
import type { SourceFile } from "./source";
import { issueAt } from "./validate";

/** Words of a GitHub environment name that say it is production. */
export const PRODUCTION_NAME_WORDS = ["prod", "production", "prd", "live"];

export function namedLikeProduction(githubEnvironment: string): boolean {
  return githubEnvironment
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .some((word) => PRODUCTION_NAME_WORDS.includes(word));
}

export function productionProfileIssues(project: ProjectConfig | undefined, environments: readonly { readonly config: EnvironmentConfig; readonly source: SourceFile }[]): ConfigIssue[] {
  const productionAccounts = new Map<string, string>(environments.filter(({ config }) => config.profile === "production").map(({ config }) => [config.account.id, `production environment ${config.name}`]));
  const bootstrap = project?.accounts[project.bootstrap.account]?.id;
  if (bootstrap !== undefined && !productionAccounts.has(bootstrap)) productionAccounts.set(bootstrap, "the bootstrap stack (Terraform state)");
  const issues: ConfigIssue[] = [];
  for (const { config, source } of environments) {
    if (config.profile === "production") continue;
    const fix = `set profile: production, or deploy ${config.name} through its own GitHub environment and account`;
    const github = config.deployment.githubEnvironment;
    // Another environment's GitHub environment is reported by the loader already (never shared).
    const taken = environments.some((other) => other.config !== config && other.config.deployment.githubEnvironment.toLowerCase() === github.toLowerCase());
    if (namedLikeProduction(github) && !taken) {
      issues.push(issueAt(source, ["deployment", "githubEnvironment"], `environment ${config.name} (profile ${config.profile}) deploys through GitHub environment "${github}", whose name says production (${PRODUCTION_NAME_WORDS.join(", ")}): it is production; ${fix}`, github));
    }
    const holder = productionAccounts.get(config.account.id);
    const name = project ? accountNameOf(project.accounts, config.account.id) : undefined;
    const shared = name !== undefined ? project?.accounts[name]?.sharedWithNonProduction : undefined;
    if (holder !== undefined && shared === undefined) {
      issues.push(
        issueAt(
          source,
          ["account", "id"],
          `environment ${config.name} (profile ${config.profile}) deploys into account ${config.account.id}${name ? ` (${name})` : ""}, the account of ${holder}: it is production; ${fix}, or record why in project.yaml accounts.${name ?? "<name>"}.sharedWithNonProduction`,
          config.account.id,
        ),
      );
    }
  }
  return issues;
}
