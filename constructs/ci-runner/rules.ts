/**
 * The CI runner of a VPC, as facts (pure: used by the runner construct, the stack catalog, the workflow generator,
 * the manifest and the preflight).
 *
 * GitHub-hosted runners cannot reach a private EKS endpoint, so the jobs that plan or apply a stack reaching a cluster
 * (`<env>-platform`, shared tenants, a dedicated tenant's `tenant-<id>-platform`) run on a CodeBuild-hosted GitHub
 * Actions runner in the private subnets of the cluster's VPC. CodeBuild starts one build per queued job whose
 * `runs-on` label names the project (CodeBuild user guide, "Self-hosted GitHub Actions runners in AWS CodeBuild":
 * `runs-on: codebuild-<project-name>-${{ github.run_id }}-${{ github.run_attempt }}`), through the project's webhook
 * filtered on WORKFLOW_JOB_QUEUED. Inside the build the job still requests its own GitHub OIDC token and assumes the
 * stack's plan or deploy role directly; the build's service role can do nothing but run the build in the VPC.
 *
 * GitHub access: the project authenticates to GitHub through an AWS CodeConnections connection (source auth type
 * CODECONNECTIONS), one per AWS account, created by the account stack in PENDING state. A person who administers the
 * GitHub organization must complete it once (console: Developer Tools > Settings > Connections > "Update pending
 * connection", which installs the AWS Connector for GitHub app on the repository); until it is AVAILABLE CodeBuild
 * cannot create the repository webhook. The infra stack's plan refuses a connection that is not AVAILABLE, and the
 * preflight checks it (`connectionProblem`).
 */

/** Suffix of a runner's CodeBuild project: `<project>-<env>[-<tenant>]-ci-runner`. */
export const RUNNER_NAME = "ci-runner";

/** `runs-on` prefix of a runner: CodeBuild matches `codebuild-<project>-<run id>-<run attempt>` to the project. */
export const CODEBUILD_LABEL_PREFIX = "codebuild-";

/**
 * Image of the runner builds: Amazon Linux 2023 standard 5.0, one of the images CodeBuild lists for GitHub Actions
 * runners ("Compute images supported with the CodeBuild-hosted GitHub Actions runner": linux 5.0 ->
 * aws/codebuild/amazonlinux-x86_64-standard:5.0); it carries git, the AWS CLI and unzip, which the jobs use.
 */
export const RUNNER_IMAGE = "aws/codebuild/amazonlinux-x86_64-standard:5.0";
/** The Linux container environment of that image. */
export const RUNNER_ENVIRONMENT_TYPE = "LINUX_CONTAINER";

/**
 * Minutes CodeBuild lets a runner build run (CodeBuild `build_timeout`, 5-2160): longer than the longest job that runs
 * there (an apply: 150 minutes, scripts/lib/workflows.ts), so GitHub's own timeout ends a job first.
 */
export const RUNNER_BUILD_TIMEOUT_MINUTES = 180;
/** Minutes a runner build may wait for capacity before CodeBuild gives up (CodeBuild `queued_timeout`, 5-480). */
export const RUNNER_QUEUED_TIMEOUT_MINUTES = 60;

/** The webhook event that starts a runner build (CodeBuild WebhookFilter EVENT values). */
export const RUNNER_WEBHOOK_EVENT = "WORKFLOW_JOB_QUEUED";

/**
 * GitHub allows at most 20 webhooks per event on one repository (docs.github.com, "Types of webhooks": "you can create
 * up to 20 webhooks for each event on each installation target"), and every runner project's webhook subscribes to
 * `workflow_job`: a configuration needing more runners than this cannot be served by one repository.
 */
export const GITHUB_WEBHOOKS_PER_EVENT = 20;

/** Status of a CodeConnections connection that can be used (CodeConnections API: PENDING | AVAILABLE | ERROR). */
export const CONNECTION_AVAILABLE = "AVAILABLE";

/** `runs-on` label prefix of a runner project (the workflow appends `-<run id>-<run attempt>`). */
export function runnerLabelPrefix(project: string): string {
  return `${CODEBUILD_LABEL_PREFIX}${project}`;
}

/** Where to authorize a pending connection (the console page, by region). */
export function connectionConsoleUrl(region: string): string {
  return `https://${region}.console.aws.amazon.com/codesuite/settings/connections?region=${region}`;
}

export interface ConnectionState {
  /** Connection name (the account stack's `<project>-github`, or the configured ARN's). */
  readonly name: string;
  readonly arn?: string;
  /** The AWS account and region it lives in. */
  readonly accountId: string;
  readonly region: string;
  /** `connection_status` as CodeConnections reports it; undefined when no such connection exists. */
  readonly status?: string;
}

/**
 * The problem a connection poses to the runners, or undefined when it is AVAILABLE. Pure: the preflight feeds it
 * CodeConnections GetConnection/ListConnections responses; the infra stack's plan-time check says the same.
 */
export function connectionProblem(connection: ConnectionState): string | undefined {
  const where = `account ${connection.accountId}, region ${connection.region}`;
  if (connection.status === undefined) {
    return `GitHub connection ${connection.name} does not exist in ${where}: an administrator applies the account stack first (it creates the connection), then completes it`;
  }
  if (connection.status === CONNECTION_AVAILABLE) return undefined;
  return (
    `GitHub connection ${connection.name} (${where}) is ${connection.status}, not ${CONNECTION_AVAILABLE}: the CI runners cannot register their webhooks until a GitHub organization administrator completes it ` +
    `(${connectionConsoleUrl(connection.region)} > ${connection.name} > Update pending connection, installing the AWS Connector for GitHub app on the repository)`
  );
}

/** The problem with the number of runner projects one repository needs, or undefined. */
export function runnerCountProblem(projects: readonly string[]): string | undefined {
  if (projects.length <= GITHUB_WEBHOOKS_PER_EVENT) return undefined;
  return `the configuration needs ${projects.length} CI runners (one per environment and per dedicated tenant), each with a GitHub webhook on the workflow_job event, but GitHub allows ${GITHUB_WEBHOOKS_PER_EVENT} per event on one repository; run dedicated tenants of this repository from another repository`;
}

/** Suffix of the CodeConnections connection to GitHub the runners of an account and region use: `<project>-github`. */
export const CONNECTION_SUFFIX = "-github";
/** CodeConnections ConnectionName: at most 32 characters (CodeConnections API reference, CreateConnection). */
export const CONNECTION_NAME_MAX = 32;

/** The connection's name, `<project>-github`. */
export function runnerConnectionName(project: string): string {
  const name = `${project}${CONNECTION_SUFFIX}`;
  if (name.length > CONNECTION_NAME_MAX) throw new Error(`CI runner: connection name ${name} is longer than ${CONNECTION_NAME_MAX} characters (CodeConnections ConnectionName)`);
  return name;
}
