/**
 * Terraform state-management blocks cdktf 0.21 cannot express, for moving a resource from one stack's state to
 * another's without destroying it:
 *
 * - `removed { from = <address>; lifecycle { destroy = false } }` (Terraform >= 1.7): the stack forgets the object —
 *   the plan says "will no longer be managed by Terraform … it will not delete them". A `removed` block whose address
 *   is not in the state is a no-op, so it is safe on fresh deployments. cdktf has no construct for it.
 * - `import { for_each = …; to = <address>; id = each.value }` (Terraform >= 1.7 for `for_each`): adopts an existing
 *   object when the `for_each` map has an entry, and does nothing when it is empty. An import whose target is already
 *   in the state is ignored, so the block can stay in the configuration. cdktf's `importFrom(id)` renders only a literal
 *   id without `for_each`.
 *
 * Both render as top-level blocks of the synthesized JSON (cdktf concatenates the lists of every element). The
 * behaviour above is exercised offline with Terraform's built-in `terraform_data` in
 * test/constructs/hosted-zones/migration.test.ts.
 */
import { TerraformElement, TerraformStack, type TerraformResource } from "cdktf";
import type { Construct, IConstruct } from "constructs";

/** The Terraform version these blocks need (`removed`, and `for_each` on `import`, arrived in 1.7). */
export const STATE_BLOCKS_TERRAFORM_VERSION = ">= 1.7.0";

/** Terraform address (`<type>.<logical id>`) a resource of `type` has, or had, at the construct path of `node`. */
export function resourceAddress(type: string, node: IConstruct): string {
  return `${type}.${TerraformStack.of(node).getLogicalId(node.node)}`;
}

export interface ForgetResourceProps {
  /** Address of the resource to drop from the state, e.g. `aws_route53_zone.edge_zone-noor_zone_110D270C`. */
  readonly from: string;
}

/** A `removed` block with `destroy = false`: the object stays, the stack stops managing it. */
export class ForgetResource extends TerraformElement {
  readonly from: string;

  constructor(scope: Construct, id: string, props: ForgetResourceProps) {
    super(scope, id);
    this.from = props.from;
  }

  override toTerraform(): unknown {
    return {
      terraform: { required_version: STATE_BLOCKS_TERRAFORM_VERSION },
      removed: [{ from: this.from, lifecycle: { destroy: false } }],
    };
  }
}

export interface AdoptResourceProps {
  /** The resource that takes the existing object over. */
  readonly to: TerraformResource;
  /**
   * A Terraform expression (`${...}`) evaluating to a map with at most one entry whose value is the object's import
   * id; an empty map imports nothing. It must be known at plan time (literals, locals, data sources).
   */
  readonly forEach: string;
}

/** An `import` block with `for_each`: adopts the object named by the map's single entry, if there is one. */
export class AdoptResource extends TerraformElement {
  readonly to: TerraformResource;
  readonly forEach: string;

  constructor(scope: Construct, id: string, props: AdoptResourceProps) {
    super(scope, id);
    this.to = props.to;
    this.forEach = props.forEach;
  }

  /** The import target's address. */
  get target(): string {
    return `${this.to.terraformResourceType}.${this.to.friendlyUniqueId}`;
  }

  override toTerraform(): unknown {
    return {
      terraform: { required_version: STATE_BLOCKS_TERRAFORM_VERSION },
      import: [{ for_each: this.forEach, to: this.target, id: "${each.value}" }],
    };
  }
}
