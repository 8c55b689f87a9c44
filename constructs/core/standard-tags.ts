/**
 * The standard tags every AWS resource of the platform carries (pure: configuration counts them against AWS's tag
 * limit, see STANDARD_TAG_KEYS). Applied by constructs/core/tagging.ts.
 */
export interface TagContext {
  readonly project: string;
  readonly environment?: string;
  readonly tenant?: string;
  readonly owner: string;
  readonly costCentre: string;
  /** `owner/repository` of the code that manages the resource. */
  readonly repository: string;
  /** Stack that manages the resource. */
  readonly stack: string;
  /** Extra tags (project, then environment, then tenant); standard tags win over them. */
  readonly extra?: Readonly<Record<string, string>>;
}

export const MANAGED_BY = "cdktf";

/** Standard tags, keys sorted so synthesized output is stable. */
export function standardTags(context: TagContext): Record<string, string> {
  const tags: Record<string, string> = {
    ...context.extra,
    Project: context.project,
    Owner: context.owner,
    CostCentre: context.costCentre,
    ManagedBy: MANAGED_BY,
    Repository: context.repository,
    Stack: context.stack,
  };
  if (context.environment) tags.Environment = context.environment;
  if (context.tenant) tags.Tenant = context.tenant;
  return Object.fromEntries(Object.entries(tags).sort(([a], [b]) => a.localeCompare(b)));
}

/** Keys of the standard tags (a tenant stack's full set; other stacks carry a subset). */
export const STANDARD_TAG_KEYS: readonly string[] = Object.keys(
  standardTags({ project: "p", environment: "e", tenant: "t", owner: "o", costCentre: "c", repository: "r", stack: "s" }),
);

/** AWS allows at most 50 user tags per resource (tags with the `aws:` prefix do not count). */
export const AWS_MAX_TAGS_PER_RESOURCE = 50;

/**
 * Tags the platform itself puts on single resources besides the standard ones (`Name`, `platform:backup`,
 * `platform:tier`, subnet discovery tags for the load balancer controller and Karpenter, Karpenter's own node tags):
 * configuration tags must leave room for them. A test proves no synthesized resource carries more of its own.
 */
export const RESOURCE_TAG_RESERVE = 10;
