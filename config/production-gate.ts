/**
 * The policy gate cannot be switched off by configuration: an environment that deploys through production's GitHub
 * environment, or into a production account, is production and must use the production profile (its policy threshold,
 * production-only rules and stricter checks). Otherwise renaming a production environment's profile to `development`
 * would relax every check while it still deploys where production deploys.
 *
 * Production is recognised by:
 * - the GitHub environment: the same name as a production-profile environment's `deployment.githubEnvironment`
 *   (GitHub environment names are case-insensitive), or a name that says production (a word `prod`, `production`,
 *   `prd`, `live`: `production`, `prod-eu`, `live_us`);
 * - the account: see the accounts of project.yaml (an account holding a production environment).
 * Each finding is a configuration error on the key that makes the environment production, in its file.
 */
import type { ConfigIssue } from "./errors";
import type { EnvironmentConfig } from "./schema/environment";
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

export function productionProfileIssues(environments: readonly { readonly config: EnvironmentConfig; readonly source: SourceFile }[]): ConfigIssue[] {
  const production = environments.filter(({ config }) => config.profile === "production").map(({ config }) => config);
  const productionGithub = new Map(production.map((config) => [config.deployment.githubEnvironment.toLowerCase(), config.name]));
  const issues: ConfigIssue[] = [];
  for (const { config, source } of environments) {
    if (config.profile === "production") continue;
    const fix = `set profile: production, or deploy ${config.name} through its own GitHub environment and account`;
    const github = config.deployment.githubEnvironment;
    const sharedWith = productionGithub.get(github.toLowerCase());
    if (sharedWith !== undefined) {
      issues.push(issueAt(source, ["deployment", "githubEnvironment"], `environment ${config.name} (profile ${config.profile}) deploys through GitHub environment "${github}", which production environment ${sharedWith} deploys through: it is production; ${fix}`, github));
    } else if (namedLikeProduction(github)) {
      issues.push(issueAt(source, ["deployment", "githubEnvironment"], `environment ${config.name} (profile ${config.profile}) deploys through GitHub environment "${github}", whose name says production (${PRODUCTION_NAME_WORDS.join(", ")}): it is production; ${fix}`, github));
    }
  }
  return issues;
}
