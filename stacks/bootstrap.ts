/**
 * `bootstrap`: the Terraform state bucket and its key. Applied by an administrator, never by CI. The first apply runs
 * with local state outside `cdktf.out/` (`PLATFORM_BOOTSTRAP_BACKEND=local`, state in `.state/bootstrap.tfstate`);
 * afterwards that state is pushed into the bucket it created.
 *
 * The bucket and key policies admit each environment's CI roles — in every account holding the environment's stacks,
 * created by that account's `account-<name>` stack — to that environment's state objects only (named by
 * `aws:PrincipalArn`, so this stack can be applied before the roles exist).
 */
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import type { PlatformConfig } from "../config/loader";
import { standardTags } from "../constructs/core/tagging";
import { StateStore } from "../constructs/state-store";
import { bootstrapAccount, environmentAccounts, environmentCiRoleArn, repositoryOf, stateBucketName, stateKeyAlias, type BackendSettings } from "./context";
import { BOOTSTRAP_STACK } from "./names";
import { BaseStack } from "./base-stack";

export class BootstrapStack extends BaseStack {
  readonly state: StateStore;

  constructor(scope: Construct, config: PlatformConfig, backend: BackendSettings) {
    const { project } = config;
    super(scope, BOOTSTRAP_STACK, {
      account: bootstrapAccount(project),
      backend,
      tags: standardTags({
        project: project.name,
        owner: project.owner,
        costCentre: project.costCentre,
        repository: repositoryOf(project),
        stack: BOOTSTRAP_STACK,
        extra: project.tags,
      }),
    });
    const ciAccess = [...environmentAccounts(config)].map(([environment, accounts]) => ({
      environment,
      planRoleArns: accounts.map((account) => environmentCiRoleArn(project, environment, account, "plan")),
      deployRoleArns: accounts.map((account) => environmentCiRoleArn(project, environment, account, "deploy")),
    }));
    this.state = new StateStore(this, "state", {
      account: this.account,
      bucketName: stateBucketName(project),
      keyAlias: stateKeyAlias(project),
      noncurrentVersionRetentionDays: project.bootstrap.stateVersionRetentionDays,
      ciAccess,
    });
    new TerraformOutput(this, "state_bucket", { value: this.state.bucket.bucket });
  }
}
