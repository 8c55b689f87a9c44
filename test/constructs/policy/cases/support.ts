/**
 * Fixture support for policy rule tests: each case builds a compliant and a violating fixture with the
 * provider classes in a small stack; the rule must pass the first and flag the second at a construct path.
 */
import { TerraformStack, Testing } from "cdktf";
import type { Construct } from "constructs";
import type { Profile } from "../../../../config/schema/environment";
import { awsProvider } from "../../../../constructs/core/aws";
import { evaluateStack } from "../../../../constructs/policy/engine";
import { StackModel, type SynthesizedStack } from "../../../../constructs/policy/model";
import { ruleById } from "../../../../constructs/policy/rules";
import type { Finding } from "../../../../constructs/policy/types";
import { TEST_ACCOUNT } from "../../../support/synth";

export const FIXTURE_STACK = "fixture";

export interface RuleCase {
  readonly rule: string;
  /** Profile the fixtures are evaluated with. @default "production" */
  readonly profile?: Profile;
  /** A short name when a rule has several cases. */
  readonly name?: string;
  readonly compliant: (scope: Construct) => void;
  readonly violating: (scope: Construct) => void;
  /** What the violation messages must say (each pattern must match one of them). */
  readonly expect: RegExp | readonly RegExp[];
  /** Other stacks evaluated together with each fixture (cross-stack rules), each with the fixture's provider. @default none */
  readonly peers?: { readonly compliant: readonly ((scope: Construct) => void)[]; readonly violating: readonly ((scope: Construct) => void)[] };
}

/** Synthesizes a fixture stack (with cdktf's construct-path metadata) to JSON. */
export function fixture(build: (scope: Construct) => void, tags: Record<string, string> = {}, name: string = FIXTURE_STACK): SynthesizedStack {
  const app = Testing.app();
  const stack = new TerraformStack(app, name);
  awsProvider(stack, "aws", { region: TEST_ACCOUNT.region, accountId: TEST_ACCOUNT.accountId, tags });
  build(stack);
  return stack.toTerraform() as SynthesizedStack;
}

/** Findings of one rule on a fixture. */
export function findings(ruleId: string, build: (scope: Construct) => void, profile: Profile = "production", peers: readonly ((scope: Construct) => void)[] = []): Finding[] {
  const rule = ruleById(ruleId);
  if (!rule) throw new Error(`unknown rule ${ruleId}`);
  const peerModels = peers.map((peer, index) => new StackModel(fixture(peer, {}, `peer-${index}`), `peer-${index}`));
  return [...evaluateStack(fixture(build), { profile, rules: [rule], peers: peerModels, complete: peers.length > 0 }).findings];
}

export const ACCOUNT = TEST_ACCOUNT.accountId;
export const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
