/** Names shared by the monitoring user (infra stack) and its readers (the exporter, the platform's secret store). */
import type { Naming } from "../core/naming";
import { secretName } from "../core/secrets";

/** Secrets Manager name of a PostgreSQL service's monitoring credentials (a platform secret the monitoring namespace reads). */
export function postgresExporterSecretName(naming: Naming, serviceName: string): string {
  return secretName(naming, { kind: "platform", path: `exporters/postgres-${serviceName}` });
}
