/**
 * Secrets Manager rotation function of ElastiCache (Valkey / Redis OSS) RBAC users in password mode
 * (constructs/cache-password-rotation deploys it, one per stack, for the password users of that stack).
 *
 * Terraform never holds these passwords: the provider the project pins (hashicorp/aws 6.25) has no write-only password
 * argument on aws_elasticache_user (`passwords_wo` arrived later, hashicorp/terraform-provider-aws#45988), and its
 * `passwords` are stored in the state. So Terraform creates the user with IAM authentication (which nobody is granted
 * `elasticache:Connect` for, so it admits no one) and ignores its authentication afterwards; this function turns it
 * into a password user and owns its passwords from then on.
 *
 * The secret is named by the platform, tagged with the user id it belongs to (USER_TAG, set by Terraform: the function
 * never takes a user id from the secret's value, which a writer of the value could change), and holds
 * {"username": <user id>, "password": <password>} (the first version, written by Terraform, has no password).
 *
 * The four steps (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html):
 * - createSecret: a new random password (GetRandomPassword, letters and digits only: ElastiCache RBAC passwords are
 *   16-128 printable characters and reject some punctuation, https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html)
 *   stored as AWSPENDING;
 * - setSecret: the user's passwords set to [AWSCURRENT, AWSPENDING] with ModifyUser
 *   (`AuthenticationMode={Type: password, Passwords: [...]}`; a user may have up to two passwords,
 *   https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_ModifyUser.html), so clients that still hold
 *   the current password keep authenticating until they pick up the new one; the one before is dropped;
 * - testSecret: the user is `active` again with password authentication and that many passwords (ModifyUser is
 *   asynchronous). The function has no network path to the caches, so it cannot AUTH; ElastiCache reports the change;
 * - finishSecret: AWSPENDING becomes AWSCURRENT.
 */

import { checkRotationEvent, finishSecret, secretsManagerCalls } from "#rotation-steps";

/** Tag of the secret naming the ElastiCache user whose password it holds. */
export const USER_TAG = "platform:elasticache-user";
export const PASSWORD_LENGTH = 64;
/** How long the function waits for a user to become `active` (the Lambda timeout leaves a margin above it). */
export const ACTIVE_WAIT_MS = 240_000;
export const POLL_MS = 5_000;

const USER_ID = /^[a-zA-Z][a-zA-Z0-9-]*$/;

/**
 * @param {{
 *   secrets: {
 *     describeSecret(input: { SecretId: string }): Promise<{ RotationEnabled?: boolean; VersionIdsToStages?: Record<string, string[]>; Tags?: { Key?: string; Value?: string }[] }>;
 *     getSecretValue(input: { SecretId: string; VersionId?: string; VersionStage?: string }): Promise<{ SecretString?: string }>;
 *     getRandomPassword(input: Record<string, unknown>): Promise<{ RandomPassword?: string }>;
 *     putSecretValue(input: { SecretId: string; ClientRequestToken: string; SecretString: string; VersionStages: string[] }): Promise<unknown>;
 *     updateSecretVersionStage(input: { SecretId: string; VersionStage: string; MoveToVersionId: string; RemoveFromVersionId?: string }): Promise<unknown>;
 *   };
 *   elasticache: {
 *     describeUser(userId: string): Promise<{ Status?: string; Authentication?: { Type?: string; PasswordCount?: number } } | undefined>;
 *     modifyUser(input: { UserId: string; AuthenticationMode: { Type: "password"; Passwords: string[] } }): Promise<unknown>;
 *   };
 *   sleep?: (ms: number) => Promise<void>;
 *   waitMs?: number;
 * }} deps
 */
export function createHandler({ secrets, elasticache, sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)), waitMs = ACTIVE_WAIT_MS }) {
  /** @param {string} secretId @param {{ VersionId?: string; VersionStage?: string }} selector */
  async function valueOf(secretId, selector) {
    const value = await secrets.getSecretValue({ SecretId: secretId, ...selector });
    const parsed = JSON.parse(value.SecretString ?? "{}");
    if (typeof parsed.username !== "string" || (parsed.password !== undefined && typeof parsed.password !== "string")) {
      throw new Error(`secret ${secretId} (${JSON.stringify(selector)}) is not {"username", "password"} JSON`);
    }
    return /** @type {{ username: string; password?: string }} */ (parsed);
  }

  /** @param {string} secretId @param {string} token */
  async function pendingOf(secretId, token) {
    const pending = await valueOf(secretId, { VersionId: token, VersionStage: "AWSPENDING" });
    if (!pending.password) throw new Error(`the pending version ${token} of ${secretId} has no password`);
    return /** @type {{ username: string; password: string }} */ (pending);
  }

  /** The user once it is `active` (ModifyUser is rejected while it is `modifying`). @param {string} userId */
  async function activeUser(userId) {
    for (let waited = 0; ; waited += POLL_MS) {
      const user = await elasticache.describeUser(userId);
      if (!user) throw new Error(`ElastiCache user ${userId} does not exist`);
      if (user.Status === "active") return user;
      if (waited >= waitMs) throw new Error(`ElastiCache user ${userId} is still ${user.Status} after ${waitMs / 1000} s`);
      await sleep(POLL_MS);
    }
  }

  /** The passwords the user keeps: the current one (if it has one and it differs) and the pending one. */
  async function passwordsFor(secretId, token) {
    const pending = await pendingOf(secretId, token);
    const current = await valueOf(secretId, { VersionStage: "AWSCURRENT" });
    return current.password && current.password !== pending.password ? [current.password, pending.password] : [pending.password];
  }

  const steps = {
    /** @param {string} secretId @param {string} token @param {string} userId */
    async createSecret(secretId, token, userId) {
      const current = await valueOf(secretId, { VersionStage: "AWSCURRENT" });
      if (current.username !== userId) throw new Error(`secret ${secretId} holds user "${current.username}", but its ${USER_TAG} tag names "${userId}"`);
      try {
        await valueOf(secretId, { VersionId: token, VersionStage: "AWSPENDING" });
        return; // already created by an earlier attempt of this rotation
      } catch (error) {
        if (!error || /** @type {{ name?: string }} */ (error).name !== "ResourceNotFoundException") throw error;
      }
      const generated = await secrets.getRandomPassword({ PasswordLength: PASSWORD_LENGTH, ExcludePunctuation: true, RequireEachIncludedType: true });
      if (!generated.RandomPassword) throw new Error("GetRandomPassword returned no password");
      await secrets.putSecretValue({
        SecretId: secretId,
        ClientRequestToken: token,
        SecretString: JSON.stringify({ username: userId, password: generated.RandomPassword }),
        VersionStages: ["AWSPENDING"],
      });
    },

    /** @param {string} secretId @param {string} token @param {string} userId */
    async setSecret(secretId, token, userId) {
      const passwords = await passwordsFor(secretId, token);
      await activeUser(userId);
      // Idempotent: a retried step sets the same pair again.
      await elasticache.modifyUser({ UserId: userId, AuthenticationMode: { Type: "password", Passwords: passwords } });
    },

    /** @param {string} secretId @param {string} token @param {string} userId */
    async testSecret(secretId, token, userId) {
      const passwords = await passwordsFor(secretId, token);
      const user = await activeUser(userId);
      const authentication = user.Authentication ?? {};
      if (authentication.Type !== "password" || authentication.PasswordCount !== passwords.length) {
        throw new Error(`ElastiCache user ${userId} authenticates with ${authentication.Type ?? "?"} (${authentication.PasswordCount ?? 0} passwords), not the ${passwords.length} password(s) just set`);
      }
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
    const { secretId, token, step, description } = checked;
    const userId = (description.Tags ?? []).find((tag) => tag.Key === USER_TAG)?.Value;
    if (!userId || !USER_ID.test(userId)) throw new Error(`secret ${secretId} has no valid ${USER_TAG} tag naming its ElastiCache user (found ${JSON.stringify(userId)})`);
    await /** @type {Record<string, (secretId: string, token: string, userId: string) => Promise<void>>} */ (steps)[step](secretId, token, userId);
  };
}

/** The Lambda entry point: the AWS SDK of the Lambda Node.js runtime. */
export async function handler(event) {
  const sm = await import("@aws-sdk/client-secrets-manager");
  const ec = await import("@aws-sdk/client-elasticache");
  const cacheClient = new ec.ElastiCacheClient({});
  const rotate = createHandler({
    secrets: secretsManagerCalls(sm),
    elasticache: {
      describeUser: async (userId) => {
        try {
          return (await cacheClient.send(new ec.DescribeUsersCommand({ UserId: userId }))).Users?.[0];
        } catch (error) {
          if (error && error.name === "UserNotFoundFault") return undefined;
          throw error;
        }
      },
      modifyUser: (input) => cacheClient.send(new ec.ModifyUserCommand(input)),
    },
  });
  return rotate(event);
}
