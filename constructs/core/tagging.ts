/**
 * The one tagging mechanism. Standard tags go on every AWS provider as `default_tags`; `TagAspect` adds them
 * where `default_tags` does not reach: EC2 instances, volumes and network interfaces launched from a launch
 * template (EKS nodes), which only receive the template's `tag_specifications`.
 */
import type { LaunchTemplate, LaunchTemplateTagSpecifications } from "@cdktf/provider-aws/lib/launch-template";
import { TerraformResource, Tokenization, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";

export { MANAGED_BY, standardTags, type TagContext } from "./standard-tags";

/** EC2 resource types a launch template tags at launch. */
export const LAUNCH_TEMPLATE_TAGGED_TYPES = ["instance", "volume", "network-interface"] as const;

/** Adds the standard tags to resources that provider `default_tags` does not reach. */
export class TagAspect implements IAspect {
  constructor(private readonly tags: Readonly<Record<string, string>>) {}

  visit(node: IConstruct): void {
    // By type name: the binding (0.8 MB) is loaded only by stacks that create a launch template.
    if (TerraformResource.isTerraformResource(node) && node.terraformResourceType === "aws_launch_template") this.tagLaunchTemplate(node as LaunchTemplate);
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
