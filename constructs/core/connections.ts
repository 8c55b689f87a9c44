/**
 * The contract between data services (in `<env>-infra`) and the workloads that use them (in `<env>-platform`
 * and tenant stacks). Stacks never reference each other's resources; a data service publishes a non-secret
 * connection description as an SSM parameter at a name derived from configuration, and consumers find it by
 * that name (a data source at plan time, or External Secrets at run time). Secret values never pass through
 * Terraform outputs or parameters: the description carries only the ARN of the Secrets Manager secret.
 */
import type { Naming } from "./naming";
import { validateName } from "./naming";

export const SERVICE_KINDS = ["postgres", "redis", "mongodb", "opensearch", "rabbitmq", "s3"] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

/** What a data service publishes (JSON in the SSM parameter). */
export interface ServiceConnection {
  readonly kind: ServiceKind;
  /** Service name from configuration (unique per environment). */
  readonly name: string;
  /** Primary (writer) endpoint host. */
  readonly host: string;
  /** Read-only endpoint host, when the service has one. */
  readonly readerHost?: string;
  readonly port: number;
  /** Clients must use TLS. */
  readonly tls: boolean;
  /** Database / index prefix / vhost, when the kind has one. */
  readonly database?: string;
  /** ARN of the Secrets Manager secret with credentials, when the service uses them (never the value). */
  readonly secretArn?: string;
  /** Clients authenticate with IAM instead of a password. */
  readonly iamAuth?: boolean;
  /**
   * The id IAM authentication scopes to (PostgreSQL: the cluster's or instance's resource id, for
   * `rds-db:connect` on `dbuser:<resourceId>/<user>`).
   */
  readonly resourceId?: string;
}

/** SSM parameter holding a service's ServiceConnection JSON: `/<project>/<env>[/<tenant>]/services/<name>/connection`. */
export function connectionParameterName(naming: Naming, serviceName: string): string {
  const { project, environment, tenant } = naming.scope;
  const parts = [project, environment, tenant, "services", serviceName, "connection"].filter(Boolean);
  return validateName("ssm-parameter", `/${parts.join("/")}`);
}
