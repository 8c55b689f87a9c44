/**
 * Secret values: the values a human must seed for this stack (constructs/secret-values/inventory.ts, shared with
 * `npm run secrets`), read from Secrets Manager's metadata (ListSecrets; never a value), plus what the apply itself
 * would trip on:
 * - a secret of that name scheduled for deletion: CreateSecret fails ("You can't create this secret because a
 *   secret with this name is already scheduled for deletion", Secrets Manager API reference, CreateSecret) — error;
 * - a secret that exists but is not in the stack's state (created by hand): CreateSecret fails with
 *   ResourceExistsException — error, import it first;
 * - missing (the apply creates it empty), empty or incomplete: the apply works and does not wait for the value, but
 *   the workloads reading it do not start until it is seeded — warning, with the command.
 */
import type { SecretsManagerSender } from "../../secrets";
import { listSecrets, namePrefixes } from "../../secrets";
import { expectedValue, requiredSecretValues, secretValueStatuses, seedCommand, type ListedSecret, type SecretValueRequirement } from "../../../../constructs/secret-values/inventory";
import { literal } from "../../../../constructs/policy/model";
import type { AwsApi } from "../aws";
import { collectStackState, type StackState } from "../state";
import { defineCheck, problem, type PreflightProblem } from "../types";

export interface SecretFacts {
  readonly listed: readonly ListedSecret[];
  readonly state?: StackState;
}

/** The Secrets Manager layer of `npm run secrets` (scripts/lib/secrets.ts), sending through the preflight's. */
export function secretsSender(api: AwsApi, region: string): SecretsManagerSender {
  return {
    send: (command) => {
      const name = command.constructor.name.replace(/Command$/, "");
      if (name !== "ListSecrets") throw new Error(`preflight: Secrets Manager ${name} is not a call the preflight makes`);
      return api.call("secretsmanager:ListSecrets", region, command.input as never);
    },
  };
}

/** Names of the secrets the stack's state manages. */
function managedSecretNames(state: StackState | undefined): Set<string> {
  return new Set([...(state?.resources.values() ?? [])].filter((resource) => resource.type === "aws_secretsmanager_secret").flatMap((resource) => resource.instances.flatMap((instance) => (instance.name ? [instance.name] : []))));
}

export const secretsCheck = defineCheck<SecretValueRequirement[], SecretFacts>({
  id: "secrets",
  title: "secret values seeded",
  requirements(target) {
    const requirements = requiredSecretValues(target.config).filter((requirement) => requirement.stack === target.stack);
    return requirements.length > 0 ? requirements : undefined;
  },
  async collect(requirements, api, target) {
    const listed: ListedSecret[] = [];
    for (const region of [...new Set(requirements.map((requirement) => requirement.region))].sort()) {
      listed.push(...(await listSecrets(secretsSender(api, region), namePrefixes(requirements.filter((requirement) => requirement.region === region)))));
    }
    return { listed, ...(target.state ? { state: await collectStackState(api, target.state) } : {}) };
  },
  evaluate(requirements, facts, target) {
    const problems: PreflightProblem[] = [];
    const verified: string[] = [];
    const managed = managedSecretNames(facts.state);
    for (const status of secretValueStatuses(requirements, facts.listed)) {
      const { requirement } = status;
      const subject = `secret ${requirement.secretName}`;
      const where = requirement.consumers;
      const seed = `put ${expectedValue(requirement)}: ${seedCommand(requirement)}`;
      switch (status.state) {
        case "deleted":
          problems.push(problem("error", subject, where, `is scheduled for deletion: creating it again fails until it is restored or deleted for good`, `aws secretsmanager restore-secret --region ${requirement.region} --secret-id ${requirement.secretName} (then import it: terraform import in cdktf.out/stacks/${target.stack})`));
          break;
        case "missing":
          problems.push(problem("warning", subject, where, `does not exist yet: this apply creates it empty, and ${requirement.consumers.join(", ")} wait for its value`, `after the apply, ${seed}`));
          break;
        default: {
          if (facts.state && !managed.has(requirement.secretName)) {
            const address = target.model.resources("aws_secretsmanager_secret").find((block) => literal(block.body.name) === requirement.secretName)?.address ?? "<address of the secret>";
            problems.push(problem("error", subject, where, `exists, but not in the state of ${target.stack}: creating it fails with ResourceExistsException`, `import it into the stack's state (cd cdktf.out/stacks/${target.stack} && terraform import ${address} ${requirement.secretName}), or delete it`));
          } else if (status.state === "empty" || status.state === "incomplete") {
            problems.push(problem("warning", subject, where, `${status.detail}: ${requirement.consumers.join(", ")} cannot start until it is seeded (the apply does not wait)`, seed));
          } else {
            verified.push(`${subject} has a value`);
          }
        }
      }
    }
    return { problems, verified };
  },
});
