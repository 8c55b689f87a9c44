/**
 * The one tagging mechanism. Standard tags go on every AWS provider as `default_tags`; `TagAspect` adds them
 * where `default_tags` does not reach: EC2 instances, volumes and network interfaces launched from a launch
 * template (EKS nodes), which only receive the template's `tag_specifications`.
 */
import { LaunchTemplate, type LaunchTemplateTagSpecifications } from "@cdktf/provider-aws/lib/launch-template";
import { Tokenization, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";

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

/** EC2 resource types a launch template tags at launch. */
export const LAUNCH_TEMPLATE_TAGGED_TYPES = ["instance", "volume", "network-interface"] as const;

/** Adds the standard tags to resources that provider `default_tags` does not reach. */
export class TagAspect implements IAspect {
  constructor(private readonly tags: Readonly<Record<string, string>>) {}

  visit(node: IConstruct): void {
    if (node instanceof LaunchTemplate) this.tagLaunchTemplate(node);
  }

  private tagLaunchTemplate(template: LaunchTemplate): void {
    const current = template.tagSpecificationsInput;
    if (Tokenization.isResolvable(current)) return; // computed elsewhere; cannot be merged safely
    const specs: LaunchTemplateTagSpecifications[] = [...((current as LaunchTemplateTagSpecifications[] | undefined) ?? [])];
    const merged = LAUNCH_TEMPLATE_TAGGED_TYPES.map((resourceType) => {
      const existing = specs.find((spec) => spec.resourceType === resourceType);
      return { resourceType, tags: { ...this.tags, ...existing?.tags } };
    });
    const others = specs.filter((spec) => !LAUNCH_TEMPLATE_TAGGED_TYPES.includes(spec.resourceType as never));
    template.putTagSpecifications([...merged, ...others]);
  }
}
