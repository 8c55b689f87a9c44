/**
 * `kubernetes_deployment_v1`, `kubernetes_job_v1` and `kubernetes_cron_job_v1` with their bindings' config types and
 * JSON, without loading the bindings (15 MB of JavaScript; see shaped-resource.ts). Use these, not the bindings'
 * classes: a lint rule refuses value imports of the three binding modules outside tests.
 */
import type { Construct } from "constructs";
import type { CronJobV1Config } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import type { DeploymentV1Config } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import type { JobV1Config } from "@cdktf/provider-kubernetes/lib/job-v1";
import { ShapedResource } from "./shaped-resource";

export class DeploymentV1 extends ShapedResource<DeploymentV1Config> {
  constructor(scope: Construct, id: string, config: DeploymentV1Config) {
    super(scope, id, "kubernetes_deployment_v1", config);
  }
}

export class JobV1 extends ShapedResource<JobV1Config> {
  constructor(scope: Construct, id: string, config: JobV1Config) {
    super(scope, id, "kubernetes_job_v1", config);
  }
}

export class CronJobV1 extends ShapedResource<CronJobV1Config> {
  constructor(scope: Construct, id: string, config: CronJobV1Config) {
    super(scope, id, "kubernetes_cron_job_v1", config);
  }
}
