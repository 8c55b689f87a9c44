/**
 * `account-<name>`: the baseline of one AWS account, applied by an administrator (CI must not be able to turn off its
 * own controls or change its own identity), after `bootstrap` and before any stack CI applies in the account:
 *
 * - the GitHub Actions OIDC provider and, for each environment with stacks in the account, its plan and deploy role
 *   (constructs/ci-identity);
 * - the permissions boundary every role the platform creates carries (constructs/permissions-boundary);
 * - the service-linked roles the account's stacks need that AWS does not create on first use
 *   (constructs/service-linked-roles);
 * - the detective controls, each created or declared as the organization's (constructs/detective-controls), with the
 *   locked audit log bucket (constructs/audit-logs); in the bootstrap account the trail records S3 data events of the
 *   Terraform state bucket.
 */
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import type { PlatformConfig } from "../config/loader";
import { AuditLogs } from "../constructs/audit-logs";
import { CiIdentity } from "../constructs/ci-identity";
import { boundEveryRole } from "../constructs/core/boundary-aspect";
import { environmentCiRoleNames, environmentIamPrefix, permissionsBoundaryName } from "../constructs/core/ci-roles";
import { standardTags } from "../constructs/core/tagging";
import { DetectiveControls, trailName } from "../constructs/detective-controls";
import { PermissionsBoundary } from "../constructs/permissions-boundary";
import { RequireServiceLinkedRole, ServiceLinkedRoles } from "../constructs/service-linked-roles";
import { serviceLinkedRolesNeededBy } from "../constructs/service-linked-roles/catalog";
import { accountNamed, bootstrapAccount, githubRepository, projectNaming, repositoryOf, stateBucketName, stateKeyAlias, type AccountDeployments, type BackendSettings } from "./context";
import { accountStackName } from "./names";
import { BaseStack } from "./base-stack";

export class AccountStack extends BaseStack {
  readonly boundary: PermissionsBoundary;
  readonly ci?: CiIdentity;
  readonly serviceLinkedRoles: ServiceLinkedRoles;
  readonly auditLogs?: AuditLogs;
  readonly controls: DetectiveControls;

  constructor(scope: Construct, config: PlatformConfig, accountName: string, deployments: AccountDeployments, backend: BackendSettings) {
    const { project } = config;
    const settings = accountNamed(project, accountName);
    const name = accountStackName(accountName);
    super(scope, name, {
      account: { accountId: settings.id, region: settings.region },
      backend,
      tags: standardTags({ project: project.name, owner: project.owner, costCentre: project.costCentre, repository: repositoryOf(project), stack: name, extra: project.tags }),
    });
    const naming = projectNaming(project);
    const isBootstrapAccount = project.bootstrap.account === accountName;
    const platform = (control: keyof typeof settings.controls) => settings.controls[control].managedBy === "platform";
    const auditNames = {
      bucketName: naming.name("s3-bucket", "audit-logs", settings.id, settings.region),
      keyAlias: naming.kmsAlias("audit-logs"),
    };
    const needsAuditLogs = platform("cloudTrail") || platform("config");

    this.boundary = new PermissionsBoundary(this, "boundary", {
      account: this.account,
      name: permissionsBoundaryName(project.name),
      project: project.name,
      ...(needsAuditLogs ? { auditLogs: auditNames } : {}),
      ...(isBootstrapAccount ? { state: { bucketName: stateBucketName(project), keyAlias: stateKeyAlias(project) } } : {}),
    });
    // Every role this stack creates carries the boundary it creates (a reference: roles wait for the policy).
    boundEveryRole(this, this.boundary.policy.arn);

    const environments = [...deployments.environments.values()].sort((a, b) => a.name.localeCompare(b.name));
    if (environments.length > 0) {
      this.ci = new CiIdentity(this, "ci", {
        account: this.account,
        repository: githubRepository(project),
        deployBranch: project.github.deployBranch,
        project: project.name,
        environments: environments.map((environment) => ({
          name: environment.name,
          githubEnvironment: environment.deployment.githubEnvironment,
          roleNames: environmentCiRoleNames(project.name, environment.name),
          iamPrefix: environmentIamPrefix(project.name, environment.name),
        })),
        boundaryArn: this.boundary.policy.arn,
        boundaryLiteralArn: this.boundary.arn,
        regions: [...new Set(deployments.stacks.map((stack) => stack.account.region))].sort(),
        state: { bucketName: stateBucketName(project), account: bootstrapAccount(project) },
      });
    }

    const needed = new Set(deployments.stacks.flatMap((stack) => serviceLinkedRolesNeededBy(stack)));
    if (platform("config")) needed.add("config.amazonaws.com");
    const existing = settings.serviceLinkedRoles.existing;
    this.serviceLinkedRoles = new ServiceLinkedRoles(this, "service-linked-roles", { services: [...needed], existing });

    if (needsAuditLogs) {
      this.auditLogs = new AuditLogs(this, "audit-logs", {
        account: this.account,
        ...auditNames,
        trailNames: platform("cloudTrail") ? [trailName(naming.prefix)] : [],
        config: platform("config"),
        ...settings.auditLogs,
      });
    }
    const configRole = this.serviceLinkedRoles.roles.get("config.amazonaws.com")
      ?? (platform("config") ? new RequireServiceLinkedRole(this, "config-role", { service: "config.amazonaws.com", accountStack: name }).lookup : undefined);
    const regions = [settings.region, ...new Set([...deployments.stacks.map((stack) => stack.account.region), ...settings.regions])].filter((region, index, all) => all.indexOf(region) === index);
    this.controls = new DetectiveControls(this, "detective-controls", {
      account: this.account,
      prefix: naming.prefix,
      controls: settings.controls,
      regions,
      ...(this.auditLogs ? { auditLogs: this.auditLogs } : {}),
      ...(isBootstrapAccount ? { dataEventBuckets: [stateBucketName(project)] } : {}),
      ...(configRole ? { configRoleDependency: configRole } : {}),
    });

    new TerraformOutput(this, "permissions_boundary_arn", { value: this.boundary.policy.arn });
    for (const [environment, roles] of this.ci?.roles ?? []) {
      new TerraformOutput(this, `${environment}_plan_role_arn`, { value: roles.plan.arn });
      new TerraformOutput(this, `${environment}_deploy_role_arn`, { value: roles.deploy.arn });
    }
  }
}
