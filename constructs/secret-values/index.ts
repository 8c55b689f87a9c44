/**
 * Secrets whose values a human seeds (product secrets, Alertmanager receiver credentials): Terraform creates the
 * Secrets Manager secret empty, an operator puts the value (`npm run secrets -- list <stack>` says which), External
 * Secrets syncs it into the cluster. Until then the workloads that read it cannot start.
 *
 * `SecretValueGate` tells, at plan and apply time, whether such a secret has a value: an
 * `aws_secretsmanager_secret_versions` data source (ListSecretVersionIds: version ids and staging labels only, never a
 * value) lists its versions; a secret with none has never been seeded. Read after the secret exists (it references
 * the secret's ARN, so on the first apply it is read once the secret is created, and finds no version). The data
 * source pages through ListSecretVersionIds and returns an empty `versions` for a secret without versions rather than
 * an error (registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/secretsmanager_secret_versions;
 * internal/service/secretsmanager/secret_versions_data_source.go). The plan role needs
 * `secretsmanager:ListSecretVersionIds` on the secrets (the deploy role has it with PowerUserAccess).
 *
 * The gate keeps an apply from blocking on a value nobody has seeded yet: a Deployment waits for its rollout (a pre-
 * rollout Job for its completion) only when every human-seeded secret it reads has a value — otherwise its pods wait
 * in CreateContainerConfigError, `wait_for_rollout` would time out after 10 minutes and fail the apply (and taint the
 * Deployment). Once the values are seeded External Secrets syncs them (within its refresh interval), the kubelet
 * retries and the pods start without another apply; the next apply waits for rollouts again (an in-place update of
 * `wait_for_rollout`). `secretsAwaitingValuesOutput` names, at the end of every plan and apply, the secrets that still
 * have no value.
 */
import { DataAwsSecretsmanagerSecretVersions } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-versions";
import type { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { Fn, Op, TerraformOutput, type IResolvable } from "cdktf";
import { Construct } from "constructs";

/** Output of every stack with human-seeded secrets: the names of those without a value. */
export const SECRETS_AWAITING_VALUES_OUTPUT = "secrets-awaiting-values";

export interface SecretValueGateProps {
  /** The secret Terraform creates empty. */
  readonly secret: SecretsmanagerSecret;
  /** Its name (literal), for the output. */
  readonly name: string;
}

export class SecretValueGate extends Construct {
  readonly name: string;
  readonly versions: DataAwsSecretsmanagerSecretVersions;
  /** True once the secret has a version (a seeded value); unknown until the secret exists. */
  readonly seeded: IResolvable;

  constructor(scope: Construct, id: string, props: SecretValueGateProps) {
    super(scope, id);
    this.name = props.name;
    this.versions = new DataAwsSecretsmanagerSecretVersions(this, "versions", { secretId: props.secret.arn });
    // No version: the provider leaves `versions` null (length() of null is an error, hence try()). `>= 1`, not `> 0`:
    // cdktf 0.21 renders a literal 0 operand of Op as `undefined`.
    this.seeded = Op.gte(Fn.try([Fn.lengthOf(this.versions.interpolationForAttribute("versions")), 0]), 1);
  }
}

/** Whether the apply waits for a workload that reads these secrets: only once all have a value (true without any). */
export function awaitsReadiness(gates: readonly SecretValueGate[]): boolean | IResolvable {
  if (gates.length === 0) return true;
  return gates.length === 1 ? (gates[0] as SecretValueGate).seeded : Fn.alltrue(gates.map((gate) => gate.seeded));
}

/**
 * The stack's `secrets-awaiting-values` output: names of the human-seeded secrets that have no value yet (empty once
 * all are seeded). Undefined when the stack has no such secret.
 */
export function secretsAwaitingValuesOutput(scope: Construct, gates: readonly SecretValueGate[]): TerraformOutput | undefined {
  if (gates.length === 0) return undefined;
  const sorted = [...gates].sort((a, b) => a.name.localeCompare(b.name));
  return new TerraformOutput(scope, SECRETS_AWAITING_VALUES_OUTPUT, {
    description: "Secrets Manager secrets a human must seed before the workloads reading them can start (npm run secrets -- list <stack>)",
    value: Fn.compact(sorted.map((gate) => Fn.conditional(gate.seeded, "", gate.name) as string)),
  });
}
