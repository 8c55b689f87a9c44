/**
 * The one naming helper. Every physical resource name is `<project>-<environment>[-<tenant>]-<component>` and is
 * checked against the length and character rules of its AWS resource kind before anything is synthesized.
 *
 * Names longer than a kind allows are shortened deterministically: the name is cut and a 6-character hash of the
 * full name is appended, so the result is stable across runs and distinct names stay distinct. Invalid characters
 * are never rewritten: they are an error.
 */
import { createHash } from "node:crypto";

export interface NameRule {
  readonly maxLength: number;
  readonly minLength: number;
  readonly pattern: RegExp;
  /** What the pattern allows, for error messages. */
  readonly allowed: string;
}

const LOWER_HYPHEN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const LOWER_HYPHEN_TEXT = "lowercase letters, digits and single hyphens, starting with a letter, not ending with a hyphen";

/** AWS (and Kubernetes) naming rules per resource kind. */
export const NAME_RULES = {
  "s3-bucket": { minLength: 3, maxLength: 63, pattern: /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, allowed: "lowercase letters, digits, '.' and '-', starting and ending with a letter or digit" },
  "iam-role": { minLength: 1, maxLength: 64, pattern: /^[\w+=,.@-]+$/, allowed: "letters, digits and +=,.@_-" },
  "iam-policy": { minLength: 1, maxLength: 128, pattern: /^[\w+=,.@-]+$/, allowed: "letters, digits and +=,.@_-" },
  "security-group": { minLength: 1, maxLength: 255, pattern: /^(?!sg-)[\w .:/()#,@[\]+=&;{}!$*-]+$/, allowed: "letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*, not starting with sg-" },
  "kms-alias": { minLength: 7, maxLength: 256, pattern: /^alias\/(?!aws\/)[\w/-]+$/, allowed: "alias/ followed by letters, digits, '/', '_' and '-' (not alias/aws/)" },
  "log-group": { minLength: 1, maxLength: 512, pattern: /^[\w.\-/#]+$/, allowed: "letters, digits and ._-/#" },
  "db-cluster": { minLength: 1, maxLength: 63, pattern: LOWER_HYPHEN, allowed: LOWER_HYPHEN_TEXT },
  "db-instance": { minLength: 1, maxLength: 63, pattern: LOWER_HYPHEN, allowed: LOWER_HYPHEN_TEXT },
  "db-subnet-group": { minLength: 1, maxLength: 255, pattern: /^[a-z0-9 ._-]+$/, allowed: "lowercase letters, digits, spaces and ._-" },
  "db-parameter-group": { minLength: 1, maxLength: 255, pattern: LOWER_HYPHEN, allowed: LOWER_HYPHEN_TEXT },
  "elasticache-replication-group": { minLength: 1, maxLength: 40, pattern: LOWER_HYPHEN, allowed: LOWER_HYPHEN_TEXT },
  "elasticache-subnet-group": { minLength: 1, maxLength: 255, pattern: /^[a-z0-9-]+$/, allowed: "lowercase letters, digits and '-'" },
  "elasticache-user": { minLength: 1, maxLength: 40, pattern: LOWER_HYPHEN, allowed: LOWER_HYPHEN_TEXT },
  "elasticache-user-group": { minLength: 1, maxLength: 40, pattern: LOWER_HYPHEN, allowed: LOWER_HYPHEN_TEXT },
  "elasticache-parameter-group": { minLength: 1, maxLength: 255, pattern: LOWER_HYPHEN, allowed: LOWER_HYPHEN_TEXT },
  "cloudfront-origin-access-control": { minLength: 1, maxLength: 64, pattern: /^[\w.-]+$/, allowed: "letters, digits and ._-" },
  "log-resource-policy": { minLength: 1, maxLength: 255, pattern: /^[\w.-]+$/, allowed: "letters, digits and ._-" },
  "log-delivery": { minLength: 1, maxLength: 60, pattern: /^[\w-]+$/, allowed: "letters, digits, '-' and '_'" },
  "opensearch-domain": { minLength: 3, maxLength: 28, pattern: /^[a-z][a-z0-9-]+$/, allowed: "lowercase letters, digits and '-', starting with a letter" },
  "mq-broker": { minLength: 1, maxLength: 50, pattern: /^[\w-]+$/, allowed: "letters, digits, '-' and '_'" },
  "lambda-function": { minLength: 1, maxLength: 64, pattern: /^[\w-]+$/, allowed: "letters, digits, '-' and '_'" },
  "eks-cluster": { minLength: 1, maxLength: 100, pattern: /^[0-9A-Za-z][A-Za-z0-9_-]*$/, allowed: "letters, digits, '-' and '_', starting with a letter or digit" },
  "eks-node-group": { minLength: 1, maxLength: 63, pattern: /^[0-9A-Za-z][A-Za-z0-9_-]*$/, allowed: "letters, digits, '-' and '_', starting with a letter or digit" },
  "launch-template": { minLength: 3, maxLength: 128, pattern: /^[\w().\-/]+$/, allowed: "letters, digits and ().-/_" },
  "load-balancer": { minLength: 1, maxLength: 32, pattern: /^(?!internal-)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, allowed: "letters, digits and '-', not starting or ending with '-' or starting with internal-" },
  "sns-topic": { minLength: 1, maxLength: 256, pattern: /^[\w-]+$/, allowed: "letters, digits, '-' and '_'" },
  "sqs-queue": { minLength: 1, maxLength: 80, pattern: /^[\w-]+$/, allowed: "letters, digits, '-' and '_'" },
  "iam-instance-profile": { minLength: 1, maxLength: 128, pattern: /^[\w+=,.@-]+$/, allowed: "letters, digits and +=,.@_-" },
  "secret": { minLength: 1, maxLength: 512, pattern: /^[\w/+=.@-]+$/, allowed: "letters, digits and /_+=.@-" },
  "ssm-parameter": { minLength: 1, maxLength: 1011, pattern: /^[\w/.-]+$/, allowed: "letters, digits and /_.-" },
  "backup-vault": { minLength: 2, maxLength: 50, pattern: /^[\w-]+$/, allowed: "letters, digits, '-' and '_'" },
  "backup-plan": { minLength: 1, maxLength: 50, pattern: /^[\w.-]+$/, allowed: "letters, digits and ._-" },
  "backup-selection": { minLength: 1, maxLength: 50, pattern: /^[\w.-]+$/, allowed: "letters, digits and ._-" },
  "backup-restore-testing": { minLength: 1, maxLength: 50, pattern: /^\w+$/, allowed: "letters, digits and '_' (no hyphens)" },
  "event-rule": { minLength: 1, maxLength: 64, pattern: /^[\w.-]+$/, allowed: "letters, digits and ._-" },
  "waf-web-acl": { minLength: 1, maxLength: 128, pattern: /^[\w-]+$/, allowed: "letters, digits, '-' and '_'" },
  "cloudwatch-alarm": { minLength: 1, maxLength: 255, pattern: /^[\w .:/-]+$/, allowed: "letters, digits, spaces and _.:/-" },
  // CodeBuild CreateProject `name`: 2-150 characters, [A-Za-z0-9][A-Za-z0-9\-_]{1,254} (CodeBuild API reference).
  "codebuild-project": { minLength: 2, maxLength: 150, pattern: /^[A-Za-z0-9][\w-]+$/, allowed: "letters, digits, '-' and '_', starting with a letter or digit" },
  // CodeConnections CreateConnection `ConnectionName`: 1-32 characters (CodeConnections API reference).
  "codeconnections-connection": { minLength: 1, maxLength: 32, pattern: /^[\w.-]+$/, allowed: "letters, digits and ._- (at most 32 characters)" },
  "k8s-name": { minLength: 1, maxLength: 63, pattern: /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, allowed: "an RFC 1123 label: lowercase letters, digits and '-'" },
} as const satisfies Record<string, NameRule>;

export type ResourceKind = keyof typeof NAME_RULES;

export class NameError extends Error {
  constructor(kind: ResourceKind, name: string, problem: string) {
    super(`invalid ${kind} name "${name}": ${problem}`);
    this.name = "NameError";
  }
}

const HASH_LENGTH = 6;

/** Shortens `name` to `maxLength` deterministically (cut + hash of the full name). */
export function shorten(name: string, maxLength: number): string {
  if (name.length <= maxLength) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, HASH_LENGTH);
  const head = name.slice(0, maxLength - HASH_LENGTH - 1).replace(/[-_.]+$/, "");
  return `${head}-${hash}`;
}

/** Checks a complete name against its kind's rules; shortens it when only the length is wrong. */
export function validateName(kind: ResourceKind, name: string): string {
  const rule: NameRule = NAME_RULES[kind];
  const fitted = shorten(name, rule.maxLength);
  if (fitted.length < rule.minLength) {
    throw new NameError(kind, name, `must be at least ${rule.minLength} characters`);
  }
  if (!rule.pattern.test(fitted)) {
    throw new NameError(kind, name, `allowed: ${rule.allowed} (at most ${rule.maxLength} characters)`);
  }
  if (kind === "s3-bucket" && (/^\d+\.\d+\.\d+\.\d+$/.test(fitted) || fitted.startsWith("xn--") || fitted.endsWith("-s3alias") || fitted.includes(".."))) {
    throw new NameError(kind, name, "bucket names must not look like an IP address, start with xn--, end with -s3alias or contain '..'");
  }
  return fitted;
}

const COMPONENT = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export interface NamingScope {
  /** Project prefix (project.yaml `name`). */
  readonly project: string;
  /** Environment name; absent for project-wide resources (bootstrap). */
  readonly environment?: string;
  /** Tenant id for tenant-scoped resources. */
  readonly tenant?: string;
  /**
   * Name of the scope's EKS cluster when it is not the derived `<prefix>-eks` (a dedicated tenant's `cluster.name`,
   * e.g. the name its guide's kubeconfig commands use).
   */
  readonly cluster?: string;
}

/** Builds validated names for one scope (project / environment / tenant). */
export class Naming {
  readonly scope: NamingScope;

  constructor(scope: NamingScope) {
    for (const [part, value] of Object.entries(scope)) {
      if (part === "cluster" && value !== undefined) {
        validateName("eks-cluster", value);
        continue;
      }
      if (value !== undefined && !COMPONENT.test(value)) {
        throw new Error(`naming scope ${part} "${value}" must be lowercase letters, digits and single hyphens`);
      }
    }
    this.scope = scope;
  }

  /** `<project>-<environment>[-<tenant>]`. */
  get prefix(): string {
    return [this.scope.project, this.scope.environment, this.scope.tenant].filter(Boolean).join("-");
  }

  /** A new Naming for a tenant inside this scope (with its own cluster name, if it has one). */
  forTenant(tenant: string, cluster?: string): Naming {
    const { cluster: _environmentCluster, ...scope } = this.scope;
    return new Naming({ ...scope, tenant, ...(cluster ? { cluster } : {}) });
  }

  /** The enclosing environment's Naming (drops the tenant). */
  withoutTenant(): Naming {
    return new Naming({ project: this.scope.project, ...(this.scope.environment ? { environment: this.scope.environment } : {}) });
  }

  /** `<prefix>-<components...>`, validated for `kind`. */
  name(kind: ResourceKind, ...components: string[]): string {
    for (const component of components) {
      if (!COMPONENT.test(component)) {
        throw new Error(`name component "${component}" must be lowercase letters, digits and single hyphens`);
      }
    }
    return validateName(kind, [this.prefix, ...components].join("-"));
  }

  /** `<prefix>_<components...>` with '_' for '-', for kinds that forbid hyphens (AWS Backup restore testing). */
  underscored(kind: ResourceKind, ...components: string[]): string {
    for (const component of components) {
      if (!COMPONENT.test(component)) {
        throw new Error(`name component "${component}" must be lowercase letters, digits and single hyphens`);
      }
    }
    return validateName(kind, [this.prefix, ...components].join("_").replaceAll("-", "_"));
  }

  /** KMS alias `alias/<prefix>-<purpose>`. */
  kmsAlias(purpose: string): string {
    return validateName("kms-alias", `alias/${this.prefix}-${purpose}`);
  }

  /** CloudWatch log group `/<project>/<environment>[/<tenant>]/<component...>`. */
  logGroup(...components: string[]): string {
    const parts = [this.scope.project, this.scope.environment, this.scope.tenant, ...components].filter(Boolean);
    return validateName("log-group", `/${parts.join("/")}`);
  }

  /** The EKS cluster of this scope; the platform stack looks it up by this name. */
  get clusterName(): string {
    return this.scope.cluster ?? this.name("eks-cluster", "eks");
  }
}
