/**
 * `bootstrap`: the state bucket and the CI identity. Applied by an administrator, never by CI (CI must not be
 * able to change its own permissions). The first apply runs with local state
 * (`PLATFORM_BOOTSTRAP_BACKEND=local`); afterwards the state is migrated into the bucket it created.
 */
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import type { PlatformConfig } from "../config/loader";
import { CiIdentity } from "../constructs/ci-identity";
import { standardTags } from "../constructs/core/tagging";
import { StateStore } from "../constructs/state-store";
import {
  bootstrapAccount,
  ciRoleNames,
  projectNaming,
  repositoryOf,
  stateBucketName,
  stateKeyAlias,
  type BackendSettings,
} from "./context";
import { BOOTSTRAP_STACK } from "./names";
import { BaseStack } from "./base-stack";

export class BootstrapStack extends BaseStack {
  readonly state: StateStore;
  readonly ci: CiIdentity;

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
    this.state = new StateStore(this, "state", {
      account: this.account,
      bucketName: stateBucketName(project),
      keyAlias: stateKeyAlias(project),
      noncurrentVersionRetentionDays: project.bootstrap.stateVersionRetentionDays,
    });
    this.ci = new CiIdentity(this, "ci", {
      account: this.account,
      repository: repositoryOf(project),
      roleNames: ciRoleNames(project),
      iamNamePrefix: projectNaming(project).prefix,
      deployBranch: project.github.deployBranch,
      deployEnvironments: [...new Set(config.environments.map((env) => env.config.deployment.githubEnvironment))],
      stateBucketArn: this.state.bucket.arn,
      stateKeyArn: this.state.key.arn,
    });
    new TerraformOutput(this, "state_bucket", { value: this.state.bucket.bucket });
    new TerraformOutput(this, "plan_role_arn", { value: this.ci.planRole.arn });
    new TerraformOutput(this, "deploy_role_arn", { value: this.ci.deployRole.arn });
  }
}
