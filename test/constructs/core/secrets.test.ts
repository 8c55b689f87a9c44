import { describe, expect, it } from "vitest";
import { Naming } from "../../../constructs/core/naming";
import { ownerSecretsArnPattern, secretArnPattern, secretName, secretNamePrefix } from "../../../constructs/core/secrets";
import { TEST_ACCOUNT } from "../../support/synth";

const env = new Naming({ project: "acme", environment: "prod" });
const tenant = env.forTenant("globex");

describe("secretName: the one naming function of Secrets Manager secrets", () => {
  it("names a namespace's secrets under <prefix>/<namespace>/", () => {
    expect(secretName(env, { kind: "namespace", namespace: "shop" }, "jwt-secret")).toBe("acme-prod/shop/jwt-secret");
    expect(secretName(tenant, { kind: "namespace", namespace: "globex-shop" }, "api-key")).toBe("acme-prod-globex/globex-shop/api-key");
    expect(secretNamePrefix(env, { kind: "namespace", namespace: "shop" })).toBe("acme-prod/shop/");
  });

  it("names platform secrets by their path and services' generated credentials next to their connection parameter", () => {
    expect(secretName(env, { kind: "platform", path: "alertmanager/slack" })).toBe("acme-prod/alertmanager/slack");
    expect(secretName(env, { kind: "service", service: "queue" })).toBe("/acme/prod/services/queue/credentials");
    expect(secretName(tenant, { kind: "service", service: "queue" })).toBe("/acme/prod/globex/services/queue/credentials");
  });

  it("gives the IAM patterns AWS's suffixed ARNs match, and keeps one namespace's path from covering another's", () => {
    expect(secretArnPattern(TEST_ACCOUNT, "acme-prod/shop/jwt")).toBe("arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme-prod/shop/jwt-??????");
    expect(ownerSecretsArnPattern(TEST_ACCOUNT, env, { kind: "namespace", namespace: "shop" })).toBe("arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme-prod/shop/*");
    expect(ownerSecretsArnPattern(TEST_ACCOUNT, env, { kind: "service", service: "queue" })).toBe(
      "arn:aws:secretsmanager:eu-west-1:123456789012:secret:/acme/prod/services/queue/credentials-??????",
    );
    // The environment's prefix (`acme-prod/`) never covers a tenant's (`acme-prod-globex/`).
    expect(secretName(tenant, { kind: "namespace", namespace: "globex-shop" }, "x").startsWith(secretNamePrefix(env, { kind: "namespace", namespace: "globex-shop" }))).toBe(false);
  });

  it("rejects owners and names that are not names", () => {
    expect(() => secretName(env, { kind: "namespace", namespace: "Shop" }, "x")).toThrow('secret owner namespace "Shop" is not a Kubernetes namespace name');
    expect(() => secretName(env, { kind: "namespace", namespace: "shop" })).toThrow("a namespace secret needs a name under acme-prod/shop/");
    expect(() => secretName(env, { kind: "namespace", namespace: "shop" }, "a b")).toThrow('secret name segment "a b" must be non-empty');
    expect(() => secretName(env, { kind: "platform", path: "alertmanager//slack" })).toThrow('secret path segment ""');
    expect(() => secretName(env, { kind: "platform", path: "alertmanager" }, "extra")).toThrow("a platform secret is named by its path");
    expect(() => secretName(env, { kind: "service", service: "queue" }, "password")).toThrow("always /acme/prod/services/queue/credentials");
    expect(() => secretName(env, { kind: "service", service: "Queue" })).toThrow('secret owner service "Queue" is not a service name');
  });
});
