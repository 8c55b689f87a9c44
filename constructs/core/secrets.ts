/**
 * The one naming function of AWS Secrets Manager secrets, and the IAM resource patterns derived from it. Every
 * secret the platform creates or reads by name (product secrets, platform receivers' credentials, credentials a
 * data-service construct generates) is named here, and every policy that reads secrets takes its resources from
 * the same functions, so a name and the policy that must admit it cannot drift apart (issue 14.7: External Secrets
 * could not read the RabbitMQ credentials because the name and the operator's policy were written separately).
 *
 * Layouts, by owner:
 * - `namespace`: the secrets of one Kubernetes namespace — `<project>-<env>[-<tenant>]/<namespace>/<name...>`.
 *   A namespace's SecretStore role reads exactly `<prefix>/<namespace>/*`; the `/` after the namespace keeps one
 *   namespace's path from covering another's (`shop/*` never matches `shop-eu/...`).
 * - `platform`: a platform component's secret at a path relative to the scope, e.g. `alertmanager/pagerduty` —
 *   `<project>-<env>[-<tenant>]/<path>`. Read through the platform's ClusterSecretStores only, by exact name.
 * - `service`: credentials a data-service construct generates (Amazon MQ's administrative user) —
 *   `/<project>/<env>[/<tenant>]/services/<service>/credentials`, next to the service's connection parameter
 *   (constructs/core/connections.ts). This layout is kept as it was first deployed: renaming the secret would
 *   replace it, and Amazon MQ for RabbitMQ does not let Terraform update a broker user's password (the provider's
 *   aws_mq_broker documentation, `user`), so the new secret would hold a password the broker does not know.
 *
 * A secret's ARN is its name followed by `-` and six random characters AWS appends; policies name a secret by
 * `secretArnPattern` (`<name>-??????`), never by a bare name.
 */
import { partitionOf, type AccountScope } from "./aws";
import { validateName, type Naming } from "./naming";

export type SecretOwner =
  | { readonly kind: "namespace"; readonly namespace: string }
  | { readonly kind: "platform"; readonly path: string }
  | { readonly kind: "service"; readonly service: string };

const LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
/** A segment of a secret name (as config/schema/observability.ts RELATIVE_SECRET_NAME allows). */
const PATH_SEGMENT = /^[\w+=.@-]+$/;
/** AWS appends `-` and six characters to a secret's name in its ARN. */
export const SECRET_ARN_SUFFIX_PATTERN = "-??????";

function checkSegments(what: string, segments: readonly string[]): void {
  for (const segment of segments) {
    if (!PATH_SEGMENT.test(segment)) {
      throw new Error(`secret ${what} segment "${segment}" must be non-empty and contain only letters, digits and _+=.@-`);
    }
  }
}

/** The path prefix every secret of `owner` starts with (`<prefix>/<namespace>/` for a namespace). */
export function secretNamePrefix(naming: Naming, owner: SecretOwner): string {
  const { project, environment, tenant } = naming.scope;
  switch (owner.kind) {
    case "namespace":
      if (!LABEL.test(owner.namespace)) throw new Error(`secret owner namespace "${owner.namespace}" is not a Kubernetes namespace name`);
      return `${naming.prefix}/${owner.namespace}/`;
    case "platform":
      checkSegments("path", owner.path.split("/"));
      return `${naming.prefix}/${owner.path}`;
    case "service":
      if (!LABEL.test(owner.service)) throw new Error(`secret owner service "${owner.service}" is not a service name`);
      return `/${[project, environment, tenant, "services", owner.service].filter(Boolean).join("/")}/`;
  }
}

/**
 * The Secrets Manager name of a secret: see the module comment for the layout of each owner. `path` names the
 * secret inside a namespace (`jwt-secret`, `alertmanager/slack` has none: a platform owner's path is the name);
 * a service's generated credentials are always `credentials`.
 */
export function secretName(naming: Naming, owner: SecretOwner, ...path: string[]): string {
  checkSegments("name", path);
  const prefix = secretNamePrefix(naming, owner);
  if (owner.kind === "platform") {
    if (path.length > 0) throw new Error(`a platform secret is named by its path ("${owner.path}"), not by extra segments`);
    return validateName("secret", prefix);
  }
  if (owner.kind === "service") {
    if (path.length > 0) throw new Error(`a service's generated secret is always ${prefix}credentials`);
    return validateName("secret", `${prefix}credentials`);
  }
  if (path.length === 0) throw new Error(`a namespace secret needs a name under ${prefix}`);
  return validateName("secret", `${prefix}${path.join("/")}`);
}

/** `arn:<partition>:secretsmanager:<region>:<account>:secret:` */
export function secretArnPrefix(account: AccountScope): string {
  return `arn:${partitionOf(account.region)}:secretsmanager:${account.region}:${account.accountId}:secret:`;
}

/** IAM resource pattern of exactly the secret named `name` (AWS's six-character suffix as `??????`). */
export function secretArnPattern(account: AccountScope, name: string): string {
  return `${secretArnPrefix(account)}${name}${SECRET_ARN_SUFFIX_PATTERN}`;
}

/**
 * IAM resource pattern of every secret of `owner`: `<prefix>/<namespace>/*` for a namespace, the exact secret for a
 * platform path or a service.
 */
export function ownerSecretsArnPattern(account: AccountScope, naming: Naming, owner: SecretOwner): string {
  if (owner.kind === "namespace") return `${secretArnPrefix(account)}${secretNamePrefix(naming, owner)}*`;
  return secretArnPattern(account, secretName(naming, owner));
}
