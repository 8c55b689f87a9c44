/**
 * Secrets Manager rotation function of an Amazon MQ for RabbitMQ broker's administrative user (single-user rotation).
 *
 * Terraform cannot keep the broker's password out of its state: aws_mq_broker's `user.password` is a required,
 * non-write-only argument in the provider the project uses (hashicorp/terraform-provider-aws#48180). So the broker is
 * created with a bootstrap password and this function replaces it immediately (`rotate_immediately`) and then on the
 * rotation schedule: the password in the state stops working at the first rotation, and every later one exists only in
 * Secrets Manager and on the broker. The function is deployed by constructs/rabbitmq (TerraformAsset of this
 * directory) and runs in the VPC: it reaches the broker's management API (HTTPS) and Secrets Manager.
 *
 * The four steps (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html):
 * - createSecret: a new random password (Secrets Manager GetRandomPassword, no punctuation: Amazon MQ rejects , : =)
 *   stored as AWSPENDING;
 * - setSecret: the broker user's password set to AWSPENDING through the RabbitMQ management API
 *   (PUT /api/users/<name>), authenticated as AWSCURRENT, or AWSPREVIOUS if a rotation was interrupted;
 * - testSecret: AWSPENDING authenticates (GET /api/whoami);
 * - finishSecret: AWSPENDING becomes AWSCURRENT.
 *
 * The secret's value is JSON: {"username": ..., "password": ...}. The management endpoint comes from MANAGEMENT_URL.
 */

import { checkRotationEvent, finishSecret, secretsManagerCalls } from "#rotation-steps";

/** @param {{ username: string; password: string }} credentials */
function authorization(credentials) {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
}

/** Tags of the administrative user (RabbitMQ replaces them on PUT /api/users). */
export const ADMINISTRATOR_TAGS = "administrator";
export const PASSWORD_LENGTH = 32;

/**
 * @param {{
 *   secrets: {
 *     describeSecret(input: { SecretId: string }): Promise<{ RotationEnabled?: boolean; VersionIdsToStages?: Record<string, string[]> }>;
 *     getSecretValue(input: { SecretId: string; VersionId?: string; VersionStage?: string }): Promise<{ SecretString?: string }>;
 *     getRandomPassword(input: Record<string, unknown>): Promise<{ RandomPassword?: string }>;
 *     putSecretValue(input: { SecretId: string; ClientRequestToken: string; SecretString: string; VersionStages: string[] }): Promise<unknown>;
 *     updateSecretVersionStage(input: { SecretId: string; VersionStage: string; MoveToVersionId: string; RemoveFromVersionId?: string }): Promise<unknown>;
 *   };
 *   request: (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<{ status: number }>;
 *   managementUrl: string;
 * }} deps
 */
export function createHandler({ secrets, request, managementUrl }) {
  const base = managementUrl.replace(/\/+$/, "");

  /** @param {{ username: string; password: string }} credentials */
  async function authenticates(credentials) {
    const response = await request(`${base}/api/whoami`, { method: "GET", headers: { authorization: authorization(credentials) } });
    return response.status === 200;
  }

  /** @param {string} secretId @param {{ VersionId?: string; VersionStage?: string }} selector */
  async function credentialsOf(secretId, selector) {
    const value = await secrets.getSecretValue({ SecretId: secretId, ...selector });
    const parsed = JSON.parse(value.SecretString ?? "{}");
    if (typeof parsed.username !== "string" || typeof parsed.password !== "string") {
      throw new Error(`secret ${secretId} (${JSON.stringify(selector)}) is not {"username", "password"} JSON`);
    }
    return /** @type {{ username: string; password: string }} */ (parsed);
  }

  /** @param {string} secretId @param {string} stage */
  async function optionalCredentials(secretId, stage) {
    try {
      return await credentialsOf(secretId, { VersionStage: stage });
    } catch (error) {
      if (error && /** @type {{ name?: string }} */ (error).name === "ResourceNotFoundException") return undefined;
      throw error;
    }
  }

  const steps = {
    /** @param {string} secretId @param {string} token */
    async createSecret(secretId, token) {
      const current = await credentialsOf(secretId, { VersionStage: "AWSCURRENT" });
      try {
        await credentialsOf(secretId, { VersionId: token, VersionStage: "AWSPENDING" });
        return; // already created by an earlier attempt of this rotation
      } catch (error) {
        if (!error || /** @type {{ name?: string }} */ (error).name !== "ResourceNotFoundException") throw error;
      }
      const generated = await secrets.getRandomPassword({ PasswordLength: PASSWORD_LENGTH, ExcludePunctuation: true, RequireEachIncludedType: true });
      if (!generated.RandomPassword) throw new Error("GetRandomPassword returned no password");
      await secrets.putSecretValue({
        SecretId: secretId,
        ClientRequestToken: token,
        SecretString: JSON.stringify({ ...current, password: generated.RandomPassword }),
        VersionStages: ["AWSPENDING"],
      });
    },

    /** @param {string} secretId @param {string} token */
    async setSecret(secretId, token) {
      const pending = await credentialsOf(secretId, { VersionId: token, VersionStage: "AWSPENDING" });
      if (await authenticates(pending)) return; // set by an earlier attempt
      for (const stage of ["AWSCURRENT", "AWSPREVIOUS"]) {
        const known = await optionalCredentials(secretId, stage);
        if (!known || known.username !== pending.username || !(await authenticates(known))) continue;
        const response = await request(`${base}/api/users/${encodeURIComponent(pending.username)}`, {
          method: "PUT",
          headers: { authorization: authorization(known), "content-type": "application/json" },
          body: JSON.stringify({ password: pending.password, tags: ADMINISTRATOR_TAGS }),
        });
        if (response.status < 200 || response.status >= 300) throw new Error(`setting the password of ${pending.username} failed: HTTP ${response.status}`);
        return;
      }
      throw new Error(`neither the AWSCURRENT nor the AWSPREVIOUS password of ${pending.username} authenticates at ${base}; set the password by hand and store it as AWSCURRENT`);
    },

    /** @param {string} secretId @param {string} token */
    async testSecret(secretId, token) {
      const pending = await credentialsOf(secretId, { VersionId: token, VersionStage: "AWSPENDING" });
      if (!(await authenticates(pending))) throw new Error(`the pending password of ${pending.username} does not authenticate at ${base}`);
    },

    /** @param {string} secretId @param {string} token */
    async finishSecret(secretId, token) {
      await finishSecret(secrets, secretId, token);
    },
  };

  /** @param {{ SecretId: string; ClientRequestToken: string; Step: string }} event */
  return async function rotate(event) {
    const checked = await checkRotationEvent(secrets, event, steps);
    if (!checked) return; // this rotation already finished
    await /** @type {Record<string, (secretId: string, token: string) => Promise<void>>} */ (steps)[checked.step](checked.secretId, checked.token);
  };
}

/** The Lambda entry point: the AWS SDK of the Lambda Node.js runtime and the global fetch. */
export async function handler(event) {
  const sdk = await import("@aws-sdk/client-secrets-manager");
  const rotate = createHandler({
    secrets: secretsManagerCalls(sdk),
    request: (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(10_000) }),
    managementUrl: process.env.MANAGEMENT_URL ?? "",
  });
  return rotate(event);
}
