/**
 * The mutation suite's vocabulary: one realistic regression, applied alone to the bundled configuration's synthesized
 * stacks (a JSON patch of one stack, as a construct change would produce it) or to a copy of the bundled configuration
 * directory (one YAML edit, then loaded and synthesized as an operator's change would be), and the rule that must
 * catch it. `CONFIG` means the configuration loader must reject the edit (the gate's own checks).
 */
import type { SynthesizedStack } from "../../../constructs/policy/model";

/** The loader rejects the edit with a configuration error at `key` (a dotted path, e.g. `policy.failAt`). */
export interface ConfigRejection {
  readonly config: string;
}

export type Expectation = string | ConfigRejection;

interface Base {
  /** Stable id, kebab-case: `rds-public`. */
  readonly id: string;
  /** The regression, as a reviewer would describe it. */
  readonly description: string;
  /** The rule id that must report it as failing (or the configuration key the loader must reject). */
  readonly expect: Expectation;
}

/** A change to one synthesized stack (throws MutationTargetMissing when what it changes is not there). */
export interface StackMutation extends Base {
  readonly kind: "stack";
  readonly stack: string;
  apply(json: SynthesizedStack): void;
  /** Stacks left out of the stacks evaluated together (a whole stack removed). @default none */
  readonly withoutPeers?: readonly string[];
}

/** One edit of a copy of the configuration directory; `stacks` are synthesized and evaluated afterwards. */
export interface ConfigMutation extends Base {
  readonly kind: "config";
  /** Edits the copied configuration directory in place. */
  edit(directory: string): void;
  /** Stack name patterns to synthesize when the loader accepts the edit. @default none */
  readonly stacks?: readonly string[];
}

export type Mutation = StackMutation | ConfigMutation;

/** A mutation whose target is not in the synthesized stacks: the suite fails (never passes vacuously). */
export class MutationTargetMissing extends Error {}
