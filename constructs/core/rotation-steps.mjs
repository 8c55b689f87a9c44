/**
 * What every Secrets Manager rotation function of the platform shares (the cache password users'
 * constructs/cache-password-rotation/function, the brokers' constructs/rabbitmq/rotation, the PostgreSQL monitoring
 * users' constructs/postgres-monitor-user/function): the checks of a rotation event, the finishSecret step and the
 * Secrets Manager calls. Functions import it as `#rotation-steps` (package.json `imports`; each function's zip carries
 * a copy and a package.json mapping the same name, constructs/core/function-bundle.ts).
 *
 * The event checks (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html):
 * rotation is enabled on the secret, the token is one of its versions, a version already AWSCURRENT means the rotation
 * finished (nothing to do on a retried invocation), otherwise it must be AWSPENDING, and the step is one of the
 * function's own (not an inherited property such as `toString`).
 */

/**
 * @typedef {{
 *   describeSecret(input: { SecretId: string }): Promise<{ RotationEnabled?: boolean; VersionIdsToStages?: Record<string, string[]>; Tags?: { Key?: string; Value?: string }[] }>;
 *   updateSecretVersionStage(input: { SecretId: string; VersionStage: string; MoveToVersionId: string; RemoveFromVersionId?: string }): Promise<unknown>;
 * }} RotationSecretsApi
 */

/**
 * The checked event, or undefined when its version is AWSCURRENT already (the rotation finished).
 * @param {RotationSecretsApi} secrets
 * @param {{ SecretId: string; ClientRequestToken: string; Step: string }} event
 * @param {Readonly<Record<string, unknown>>} steps the function's steps, by name
 */
export async function checkRotationEvent(secrets, event, steps) {
  const { SecretId: secretId, ClientRequestToken: token, Step: step } = event;
  const description = await secrets.describeSecret({ SecretId: secretId });
  if (!description.RotationEnabled) throw new Error(`secret ${secretId} does not have rotation enabled`);
  const stages = description.VersionIdsToStages?.[token];
  if (!stages) throw new Error(`secret version ${token} of ${secretId} has no stage`);
  if (stages.includes("AWSCURRENT")) return undefined;
  if (!stages.includes("AWSPENDING")) throw new Error(`secret version ${token} of ${secretId} is not AWSPENDING`);
  if (!Object.hasOwn(steps, step)) throw new Error(`unknown rotation step ${step}`);
  return { secretId, token, step, description };
}

/**
 * finishSecret: AWSCURRENT moves to the token's version (the one it leaves becomes AWSPREVIOUS). False when it is there
 * already (a retried step).
 * @param {RotationSecretsApi} secrets
 * @param {string} secretId
 * @param {string} token
 */
export async function finishSecret(secrets, secretId, token) {
  const description = await secrets.describeSecret({ SecretId: secretId });
  const current = Object.entries(description.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes("AWSCURRENT"))?.[0];
  if (current === token) return false;
  await secrets.updateSecretVersionStage({ SecretId: secretId, VersionStage: "AWSCURRENT", MoveToVersionId: token, ...(current ? { RemoveFromVersionId: current } : {}) });
  return true;
}

/**
 * The Secrets Manager calls a rotation makes, on a client of the Lambda runtime's AWS SDK v3.
 * @param {any} sdk the `@aws-sdk/client-secrets-manager` module
 */
export function secretsManagerCalls(sdk) {
  const client = new sdk.SecretsManagerClient({});
  /** @param {any} Command */
  const call = (Command) => (/** @type {any} */ input) => client.send(new Command(input));
  return {
    describeSecret: call(sdk.DescribeSecretCommand),
    getSecretValue: call(sdk.GetSecretValueCommand),
    getRandomPassword: call(sdk.GetRandomPasswordCommand),
    putSecretValue: call(sdk.PutSecretValueCommand),
    updateSecretVersionStage: call(sdk.UpdateSecretVersionStageCommand),
  };
}
