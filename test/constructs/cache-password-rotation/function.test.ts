/**
 * The ElastiCache password rotation function (constructs/cache-password-rotation/function/index.mjs), run step by step
 * against a fake Secrets Manager and a fake ElastiCache: the first rotation turns the IAM user Terraform created into a
 * password user, every later one keeps the current and the new password (two at most) so connected clients keep
 * working, the user id comes from the secret's tag only, and retried steps do nothing twice.
 */
import { describe, expect, it } from "vitest";
import { fakeSecretVersions } from "../../support/fake-secret-versions";
import { createHandler, PASSWORD_LENGTH, USER_TAG, type RotationElastiCache, type RotationSecrets } from "../../../constructs/cache-password-rotation/function/index.mjs";
import { CACHE_USER_TAG } from "../../../constructs/cache-password-rotation";

const SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme-prod/murima/services/cache/credentials-AbCdEf";
const USER = "acme-prod-redis-murima-cache-app-murima";


function world(options: { tag?: string | undefined; username?: string; statuses?: string[] } = {}) {
  const secret = fakeSecretVersions(JSON.stringify({ username: options.username ?? USER }));
  const { versions, byStage } = secret;
  const generated = ["Generated1", "Generated2", "Generated3"].map((prefix) => prefix.padEnd(PASSWORD_LENGTH, "x"));
  const user = { Status: "active", Authentication: { Type: "iam", PasswordCount: 0 }, passwords: [] as string[], modifications: 0 };
  const statuses = [...(options.statuses ?? [])];
  const tags = "tag" in options ? (options.tag === undefined ? [] : [{ Key: USER_TAG, Value: options.tag }]) : [{ Key: USER_TAG, Value: USER }];
  const secrets: RotationSecrets = {
    describeSecret: async () => ({ RotationEnabled: true, Tags: tags, VersionIdsToStages: secret.stagesById() }),
    getSecretValue: async ({ VersionId, VersionStage }) => {
      return secret.getSecretValue({ VersionId, VersionStage });
    },
    getRandomPassword: async (input) => {
      expect(input).toMatchObject({ ExcludePunctuation: true, PasswordLength: PASSWORD_LENGTH });
      return { RandomPassword: generated.shift() as string };
    },
    putSecretValue: async (request) => secret.putSecretValue(request),
    updateSecretVersionStage: async (request) => secret.updateSecretVersionStage(request),
  };
  const elasticache: RotationElastiCache = {
    describeUser: async (userId) => {
      if (userId !== USER) return undefined;
      return { Status: statuses.shift() ?? user.Status, Authentication: { ...user.Authentication } };
    },
    modifyUser: async ({ UserId, AuthenticationMode }) => {
      expect(UserId).toBe(USER);
      expect(AuthenticationMode.Passwords.length).toBeLessThanOrEqual(2);
      user.passwords = [...AuthenticationMode.Passwords];
      user.Authentication = { Type: AuthenticationMode.Type, PasswordCount: AuthenticationMode.Passwords.length };
      user.modifications += 1;
    },
  };
  const sleeps: number[] = [];
  const rotate = createHandler({ secrets, elasticache, sleep: async (ms) => void sleeps.push(ms), waitMs: 20_000 });
  const run = async (token: string) => {
    versions.set(token, { stages: ["AWSPENDING"] });
    for (const step of ["createSecret", "setSecret", "testSecret", "finishSecret"]) await rotate({ SecretId: SECRET, ClientRequestToken: token, Step: step });
  };
  const current = () => JSON.parse(byStage("AWSCURRENT")?.[1].value ?? "{}") as { username: string; password?: string };
  return { versions, user, rotate, run, current, sleeps };
}

describe("ElastiCache password rotation function", () => {
  it("names the same tag as the construct that sets it", () => {
    expect(USER_TAG).toBe(CACHE_USER_TAG);
  });

  it("turns the IAM user into a password user at the first rotation, with one password", async () => {
    const { user, run, current } = world();
    await run("v2");
    expect(user.Authentication).toEqual({ Type: "password", PasswordCount: 1 });
    expect(current()).toEqual({ username: USER, password: "Generated1".padEnd(PASSWORD_LENGTH, "x") });
    expect(user.passwords).toEqual([current().password]);
  });

  it("keeps the current and the new password during later rotations and drops the one before", async () => {
    const { user, run, current } = world();
    await run("v2");
    const first = current().password;
    await run("v3");
    expect(user.passwords).toEqual([first, current().password]);
    await run("v4");
    expect(user.passwords).toEqual(["Generated2".padEnd(PASSWORD_LENGTH, "x"), "Generated3".padEnd(PASSWORD_LENGTH, "x")]);
    expect(user.passwords).not.toContain(first);
  });

  it("is idempotent: retried steps create one pending version and finish once", async () => {
    const { versions, rotate, run, user } = world();
    await run("v2");
    for (const step of ["createSecret", "setSecret", "testSecret", "finishSecret"]) await rotate({ SecretId: SECRET, ClientRequestToken: "v2", Step: step });
    expect(versions.size).toBe(2);
    expect(user.modifications).toBe(1);
  });

  it("waits while the user is modifying, and fails when it never becomes active", async () => {
    const waiting = world({ statuses: ["modifying", "modifying"] });
    await waiting.run("v2");
    expect(waiting.sleeps.length).toBeGreaterThanOrEqual(2);
    const stuck = world({ statuses: Array.from({ length: 20 }, () => "modifying") });
    stuck.versions.set("v2", { stages: ["AWSPENDING"] });
    await stuck.rotate({ SecretId: SECRET, ClientRequestToken: "v2", Step: "createSecret" });
    await expect(stuck.rotate({ SecretId: SECRET, ClientRequestToken: "v2", Step: "setSecret" })).rejects.toThrow(`ElastiCache user ${USER} is still modifying after 20 s`);
  });

  it("fails testSecret when ElastiCache does not report the passwords just set", async () => {
    const { rotate, versions, user } = world();
    versions.set("v2", { stages: ["AWSPENDING"] });
    await rotate({ SecretId: SECRET, ClientRequestToken: "v2", Step: "createSecret" });
    await expect(rotate({ SecretId: SECRET, ClientRequestToken: "v2", Step: "testSecret" })).rejects.toThrow(`ElastiCache user ${USER} authenticates with iam (0 passwords), not the 1 password(s) just set`);
    expect(user.modifications).toBe(0);
  });

  it("takes the user only from the secret's tag, and refuses a secret whose value names another user", async () => {
    const untagged = world({ tag: undefined });
    untagged.versions.set("v2", { stages: ["AWSPENDING"] });
    await expect(untagged.rotate({ SecretId: SECRET, ClientRequestToken: "v2", Step: "createSecret" })).rejects.toThrow(`has no valid ${USER_TAG} tag`);
    const forged = world({ username: "acme-prod-redis-murima-cache-app-other" });
    forged.versions.set("v2", { stages: ["AWSPENDING"] });
    await expect(forged.rotate({ SecretId: SECRET, ClientRequestToken: "v2", Step: "createSecret" })).rejects.toThrow(/holds user "acme-prod-redis-murima-cache-app-other", but its platform:elasticache-user tag names/);
  });

  it("refuses unknown steps and versions that are not pending", async () => {
    const { rotate, versions } = world();
    versions.set("v2", { stages: ["AWSPENDING"] });
    await expect(rotate({ SecretId: SECRET, ClientRequestToken: "v2", Step: "dropUser" })).rejects.toThrow("unknown rotation step dropUser");
    await expect(rotate({ SecretId: SECRET, ClientRequestToken: "v9", Step: "createSecret" })).rejects.toThrow("has no stage");
  });
});
