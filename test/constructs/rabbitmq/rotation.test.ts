/**
 * The RabbitMQ password rotation function (constructs/rabbitmq/rotation/index.mjs), run step by step against a fake
 * Secrets Manager and a fake RabbitMQ management API: the bootstrap password Terraform stored in its state stops
 * working at the first rotation, and only Secrets Manager and the broker know the new one.
 */
import { describe, expect, it } from "vitest";
import { fakeSecretVersions } from "../../support/fake-secret-versions";
import { ADMINISTRATOR_TAGS, createHandler, type RotationSecrets } from "../../../constructs/rabbitmq/rotation/index.mjs";

const SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:/acme/test/services/queue/credentials-AbCdEf";
const URL = "https://b-1234.mq.eu-west-1.amazonaws.com";
const BOOTSTRAP = "BootstrapPassword1234567890abcd";


/** Secrets Manager versions with staging labels, and a broker that knows one password for the user. */
function world(options: { brokerPassword?: string; passwords?: string[] } = {}) {
  const secret = fakeSecretVersions(JSON.stringify({ username: "platformadmin", password: BOOTSTRAP }));
  const { versions, byStage } = secret;
  const generated = [...(options.passwords ?? ["RotatedPassword1", "RotatedPassword2"])];
  const broker = { username: "platformadmin", password: options.brokerPassword ?? BOOTSTRAP, tags: "administrator", puts: 0 };
  const secrets: RotationSecrets = {
    describeSecret: async () => ({ RotationEnabled: true, VersionIdsToStages: secret.stagesById() }),
    getSecretValue: async ({ VersionId, VersionStage }) => {
      return secret.getSecretValue({ VersionId, VersionStage });
    },
    getRandomPassword: async (input) => {
      expect(input).toMatchObject({ ExcludePunctuation: true, PasswordLength: 32 });
      return { RandomPassword: generated.shift() as string };
    },
    putSecretValue: async (request) => secret.putSecretValue(request),
    updateSecretVersionStage: async (request) => secret.updateSecretVersionStage(request),
  };
  const request = async (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => {
    const [user, password] = Buffer.from(init.headers.authorization?.replace(/^Basic /, "") ?? "", "base64").toString().split(":");
    if (user !== broker.username || password !== broker.password) return { status: 401 };
    if (init.method === "GET" && url === `${URL}/api/whoami`) return { status: 200 };
    if (init.method === "PUT" && url === `${URL}/api/users/platformadmin`) {
      const body = JSON.parse(init.body ?? "{}") as { password: string; tags: string };
      broker.password = body.password;
      broker.tags = body.tags;
      broker.puts += 1;
      return { status: 204 };
    }
    return { status: 404 };
  };
  const rotate = createHandler({ secrets, request, managementUrl: `${URL}/` });
  const run = async (token: string) => {
    // RotateSecret labels the new version id AWSPENDING before calling the function; createSecret gives it a value.
    versions.set(token, { stages: ["AWSPENDING"] });
    for (const step of ["createSecret", "setSecret", "testSecret", "finishSecret"]) await rotate({ SecretId: SECRET, ClientRequestToken: token, Step: step });
  };
  return { versions, broker, rotate, run, current: () => JSON.parse(byStage("AWSCURRENT")?.[1].value ?? "{}") as { password: string } };
}

describe("RabbitMQ password rotation", () => {
  it("replaces the bootstrap password on the broker and in the secret: the value in Terraform's state stops working", async () => {
    const { broker, run, current } = world();
    await run("v2");
    expect(broker.password).toBe("RotatedPassword1");
    expect(broker.tags).toBe(ADMINISTRATOR_TAGS);
    expect(current().password).toBe("RotatedPassword1");
    expect(broker.password).not.toBe(BOOTSTRAP);
    await run("v3");
    expect([broker.password, current().password, broker.puts]).toEqual(["RotatedPassword2", "RotatedPassword2", 2]);
  });

  it("is idempotent: a retried step does nothing twice", async () => {
    const { broker, rotate, run } = world();
    await run("v2");
    for (const step of ["createSecret", "setSecret", "testSecret", "finishSecret"]) await rotate({ SecretId: SECRET, ClientRequestToken: "v2", Step: step });
    expect(broker.puts).toBe(1);
  });

  it("fails with a clear message when neither the current nor the previous password authenticates", async () => {
    const { run } = world({ brokerPassword: "changed-by-hand" });
    await expect(run("v2")).rejects.toThrow("neither the AWSCURRENT nor the AWSPREVIOUS password of platformadmin authenticates at https://b-1234.mq.eu-west-1.amazonaws.com; set the password by hand and store it as AWSCURRENT");
  });

  it("refuses a version that is not pending and an unknown step", async () => {
    const { rotate } = world();
    await expect(rotate({ SecretId: SECRET, ClientRequestToken: "nope", Step: "createSecret" })).rejects.toThrow("secret version nope");
    await expect(rotate({ SecretId: SECRET, ClientRequestToken: "v1", Step: "createSecret" })).resolves.toBeUndefined();
  });
});
