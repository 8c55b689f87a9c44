/**
 * The edge parameter: what `<env>-infra`'s edge publishes for later stacks (the platform's ingresses, tenant stacks)
 * and what the DNS stage reads to adopt zones an earlier layout created (constructs/hosted-zones). Kept apart from the
 * Edge construct so stacks that only name the parameter do not load the edge's constructs.
 */
import { validateName, type Naming } from "../core/naming";

/** SSM parameter with the edge description: `/<project>/<env>[/<tenant>]/edge`. */
export function edgeParameterName(naming: Naming): string {
  const { project, environment, tenant } = naming.scope;
  return validateName("ssm-parameter", `/${[project, environment, tenant, "edge"].filter(Boolean).join("/")}`);
}

/** What the edge publishes (JSON in the SSM parameter). */
export interface EdgeDescription {
  /** Per domain key: its name, zone and regional certificate (covering `*.<name>` and `<name>`). */
  readonly domains: Readonly<Record<string, { readonly name: string; readonly zoneId: string; readonly certificateArn: string }>>;
  /** Regional web ACL to attach to internet-facing load balancers. */
  readonly webAclArn?: string;
}
