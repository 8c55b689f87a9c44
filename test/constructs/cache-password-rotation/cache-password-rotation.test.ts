/**
 * Redis password mode (issue 17 gap 2): a product instance's cache user with `authentication: password` gets its
 * password from its stack's rotation function, never from Terraform. Proven on the synthesized JSON of a product
 * instance: the user starts as an IAM user that nobody may connect as and Terraform ignores its authentication; no
 * password appears anywhere (no `passwords`, no `secret_string`); the secret is the namespace's, tagged with the user,
 * rotated at once and on a schedule by one function per stack whose role names exactly the stack's users and secrets;
 * the workload reads username, password and URL from the synced Kubernetes Secret and has no elasticache:Connect.
 */
import { TerraformStack, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { CachePasswordRotation, CACHE_ROTATION_TIMEOUT_SECONDS, CACHE_USER_TAG } from "../../../constructs/cache-password-rotation";
import { CACHE_PASSWORD_ROTATION_DAYS, CacheUser } from "../../../constructs/cache-user";
import { redisAccessString } from "../../../constructs/core/data-users";
import { cachePasswordSecretName, ProductWorkloads, type ProductWorkloadsProps } from "../../../constructs/product-workloads";
import { ingressGroupSettings } from "../../../constructs/workload";
import { onlyResource, resourceList, resourcesOf, synthConstruct, TEST_ACCOUNT, type Synthesized } from "../../support/synth";
import { naming, policyOf, shopProduct, type Json } from "../workload/fixtures";

const production = policyOf("production");
const ROTATION_LOGGING = { retentionDays: 365, logsKeyAlias: "alias/acme-test-logs" };

function props(overrides: Partial<ProductWorkloadsProps> = {}): ProductWorkloadsProps {
  const product = shopProduct();
  return {
    name: "shop",
    product: { ...product, services: { ...product.services, cache: { kind: "redis", name: "shop-cache", envPrefix: "REDIS", authentication: "password" } } },
    policy: production,
    naming,
    account: TEST_ACCOUNT,
    clusterName: naming.clusterName,
    network: { loadBalancerCidrs: ["10.0.0.0/24"], dataTierCidrs: ["10.0.8.0/24", "10.0.9.0/24"] },
    ingressGroup: ingressGroupSettings(naming, production.ingress),
    dataKeyAlias: "alias/acme-test-data",
    protectSecrets: true,
    passwordRotation: ROTATION_LOGGING,
    ...overrides,
  };
}

function only(json: Synthesized, type: string): Json {
  return onlyResource(json, type) as Json;
}

function dataOf(json: Synthesized, type: string): Json[] {
  return Object.values((json.data as Record<string, Record<string, Json>>)[type] ?? {});
}

describe("Redis password mode (ProductWorkloads with services.cache.authentication: password)", () => {
  const { json, text } = synthConstruct((scope) => new ProductWorkloads(scope, "shop", props()));
  const secretName = cachePasswordSecretName(naming, "shop", "cache");

  it("creates the user with IAM authentication and lets the rotation function own it afterwards", () => {
    const user = only(json, "aws_elasticache_user");
    expect(user.authentication_mode).toEqual({ type: "iam" });
    expect(user.lifecycle.ignore_changes).toEqual(["authentication_mode", "passwords", "no_password_required"]);
    expect(user.access_string).toBe(redisAccessString());
  });

  it("never puts a password into the synthesized JSON (hence never into the state)", () => {
    expect(text).not.toMatch(/"passwords"\s*:/);
    expect(text).not.toMatch(/"secret_string"\s*:/);
    expect(text).not.toContain("aws_secretsmanager_random_password");
    const version = only(json, "aws_secretsmanager_secret_version");
    expect(Object.keys(version).sort()).toEqual(["lifecycle", "secret_id", "secret_string_wo", "secret_string_wo_version", "version_stages"]);
    // Labelled so Secrets Manager never prunes it (terraform-provider-aws#37302); its labels are the rotation's afterwards.
    expect(version.version_stages).toEqual(["AWSCURRENT", "PLATFORM_INITIAL"]);
    expect(version.lifecycle).toEqual({ ignore_changes: ["version_stages"] });
    expect(version.secret_string_wo).toMatch(/^\$\{jsonencode\(\{"username" = "acme-test-redis-shop-cache-app-shop"\}\)\}$/);
  });

  it("keeps the password in a secret of the namespace, tagged with its user, encrypted with the data key, protected", () => {
    const secrets = (resourceList(json, "aws_secretsmanager_secret") as Json[]).filter((candidate: Json) => candidate.tags?.[CACHE_USER_TAG] !== undefined);
    expect(secrets).toHaveLength(1);
    const secret = secrets[0] as Json;
    expect(secretName).toBe("acme-test/shop/services/cache/credentials");
    expect(secret).toMatchObject({ name: secretName, kms_key_id: "alias/acme-test-data", tags: { [CACHE_USER_TAG]: "acme-test-redis-shop-cache-app-shop" }, lifecycle: { prevent_destroy: true } });
  });

  it("rotates at once (making it a password user) and every 30 days, after the user is in its group", () => {
    const rotation = only(json, "aws_secretsmanager_secret_rotation");
    expect(rotation).toMatchObject({ rotate_immediately: true, rotation_rules: { automatically_after_days: CACHE_PASSWORD_ROTATION_DAYS } });
    expect(rotation.rotation_lambda_arn).toMatch(/^\$\{aws_lambda_function\.cache-password-rotation_function_\w+\.arn\}$/);
    expect(rotation.depends_on).toEqual(
      expect.arrayContaining([expect.stringMatching(/^aws_elasticache_user_group_association\./), expect.stringMatching(/^aws_secretsmanager_secret_version\./), expect.stringMatching(/^aws_lambda_permission\./), expect.stringMatching(/^aws_iam_role_policy\.cache-password-rotation/)]),
    );
    const permission = only(json, "aws_lambda_permission");
    expect(permission).toMatchObject({ principal: "secretsmanager.amazonaws.com", source_account: TEST_ACCOUNT.accountId, action: "lambda:InvokeFunction" });
    expect(permission.source_arn).toMatch(/^\$\{aws_secretsmanager_secret\.shop_cache-user-cache_secret_\w+\.arn\}$/);
  });

  it("runs one function per stack, outside the VPC, logging to an encrypted group kept for the audit retention", () => {
    const fn = only(json, "aws_lambda_function");
    expect(fn).toMatchObject({ function_name: "acme-test-cache-password-rotation", runtime: "nodejs22.x", timeout: CACHE_ROTATION_TIMEOUT_SECONDS, handler: "index.handler" });
    expect(fn.vpc_config).toBeUndefined();
    const group = only(json, "aws_cloudwatch_log_group");
    expect(group).toMatchObject({ name: "/aws/lambda/acme-test-cache-password-rotation", retention_in_days: 365 });
    expect(group.kms_key_id).toMatch(/data\.aws_kms_alias\.cache-password-rotation_logs-key_\w+\.target_key_arn/);
  });

  it("alarms on the function's errors to the alerts topic it is given, and not without one", () => {
    expect(resourceList(json, "aws_cloudwatch_metric_alarm")).toEqual([]);
    const topic = "arn:aws:sns:eu-central-1:111122223333:acme-test-alerts";
    const { json: alarmed } = synthConstruct((scope) => new ProductWorkloads(scope, "shop", props({ passwordRotation: { ...ROTATION_LOGGING, alarmTopicArn: topic } })));
    expect(only(alarmed, "aws_cloudwatch_metric_alarm")).toMatchObject({
      alarm_name: "acme-test-rotation-cache-password-rotation-errors",
      namespace: "AWS/Lambda",
      metric_name: "Errors",
      dimensions: { FunctionName: expect.stringMatching(/^\$\{aws_lambda_function\.cache-password-rotation_function_\w+\.function_name\}$/) },
      statistic: "Sum",
      threshold: 0,
      comparison_operator: "GreaterThanThreshold",
      treat_missing_data: "notBreaching",
      alarm_actions: [topic],
      ok_actions: [topic],
    });
  });

  it("grants the function exactly the stack's users and secrets, ModifyUser only to password authentication", () => {
    const document = dataOf(json, "aws_iam_policy_document").find((doc) => (doc.statement as Json[]).some((statement: Json) => statement.sid === "SetPasswordsOfTheRegisteredUsers")) as Json;
    const sid = (name: string) => (document.statement as Json[]).find((statement: Json) => statement.sid === name) as Json;
    expect(sid("RotateTheRegisteredSecrets").resources).toEqual([expect.stringMatching(/^\$\{aws_secretsmanager_secret\.shop_cache-user-cache_secret_\w+\.arn\}$/)]);
    expect(sid("ReadTheRegisteredUsers").resources).toEqual([expect.stringMatching(/^\$\{aws_elasticache_user\.shop_cache-user-cache_user_\w+\.arn\}$/)]);
    expect(sid("SetPasswordsOfTheRegisteredUsers")).toMatchObject({
      actions: ["elasticache:ModifyUser"],
      condition: [{ test: "StringEquals", variable: "elasticache:UserAuthenticationMode", values: ["password"] }],
    });
    expect(sid("GeneratePasswords").condition).toEqual([{ test: "StringEquals", variable: "aws:RequestedRegion", values: [TEST_ACCOUNT.region] }]);
  });

  it("injects the user, the password and a URL with the credentials from the synced Secret, and no IAM connect", () => {
    const deployments = resourcesOf(json, "kubernetes_deployment_v1");
    const api = Object.entries(deployments).find(([id]) => id.includes("workload-web"))?.[1] as Json;
    const env = api.spec.template.spec.container[0].env as Json[];
    const named = (name: string) => env.find((variable: Json) => variable.name === name);
    expect(named("REDIS_USERNAME")).toEqual({ name: "REDIS_USERNAME", value: expect.stringMatching(/^\$\{aws_elasticache_user\.shop_cache-user-cache_user_\w+\.user_id\}$/) });
    expect(named("REDIS_PASSWORD")).toEqual({ name: "REDIS_PASSWORD", value_from: { secret_key_ref: { name: "service-cache", key: "password" } } });
    expect(named("REDIS_URL")).toEqual({ name: "REDIS_URL", value_from: { secret_key_ref: { name: "service-cache", key: "url" } } });
    expect(named("REDIS_IAM_AUTH")).toBeUndefined();
    expect(JSON.stringify(json.data)).not.toContain("elasticache:Connect");
  });

  it("syncs the secret through the namespace's own store, which reads exactly that secret beside the namespace's", () => {
    const release = (resourceList(json, "helm_release") as Json[]).find((candidate: Json) => candidate.name === "workload-secrets") as Json;
    expect(String(release.values[0])).toContain("rediss://{{ .username | urlquery }}:{{ .password | urlquery }}@");
    const store = dataOf(json, "aws_iam_policy_document").find((doc) => (doc.statement as Json[]).some((statement: Json) => statement.sid === "ReadNamespaceSecrets")) as Json;
    const read = (store.statement as Json[]).find((statement: Json) => statement.sid === "ReadNamespaceSecrets") as Json;
    expect(read.resources).toEqual(expect.arrayContaining([expect.stringMatching(/^\$\{aws_secretsmanager_secret\.shop_cache-user-cache_secret_\w+\.arn\}$/)]));
  });

  it("the IAM mode (default) is unchanged: no secret, no function, elasticache:Connect as the own user", () => {
    const base = shopProduct();
    const { json: iam } = synthConstruct((scope) => new ProductWorkloads(scope, "shop", props({ product: base })));
    expect(resourceList(iam, "aws_lambda_function")).toHaveLength(0);
    expect(resourceList(iam, "aws_secretsmanager_secret_rotation")).toHaveLength(0);
    expect(only(iam, "aws_elasticache_user").lifecycle).toBeUndefined();
    expect(JSON.stringify(iam.data)).toContain("elasticache:Connect");
  });
});

describe("CachePasswordRotation and CacheUser password props (failing input)", () => {
  const stack = () => {
    const app = Testing.app();
    return new TerraformStack(app, "t");
  };
  const rotationProps = { naming, account: TEST_ACCOUNT, dataKeyAlias: "alias/acme-test-data", logging: { retentionDays: 365, kmsKeyAlias: "alias/acme-test-logs" } };

  it("is one function per stack", () => {
    const scope = stack();
    expect(CachePasswordRotation.of(scope, rotationProps)).toBe(CachePasswordRotation.of(scope, rotationProps));
  });

  it("rejects a log retention CloudWatch Logs does not offer", () => {
    expect(() => CachePasswordRotation.of(stack(), { ...rotationProps, logging: { ...rotationProps.logging, retentionDays: 100 } })).toThrow(/logging\.retentionDays 100 is not a CloudWatch Logs retention value/);
  });

  it("rejects a rotation period Secrets Manager does not accept", () => {
    const scope = stack();
    const rotation = CachePasswordRotation.of(scope, rotationProps);
    const password = { rotation, secretName: "acme-test/shop/services/cache/credentials", kmsKeyId: "alias/acme-test-data", recoveryWindowDays: 7, protect: false, accountId: TEST_ACCOUNT.accountId };
    const user = { userId: "acme-test-redis-shop-cache-shop", engine: "valkey", userGroupId: "g", accessString: redisAccessString() };
    expect(() => new CacheUser(scope, "a", { ...user, password: { ...password, rotationDays: 0 } })).toThrow(/password\.rotationDays 0 must be a whole number of days from 1 to 1000/);
    expect(() => new CacheUser(scope, "b", { ...user, password: { ...password, rotationDays: 1001 } })).toThrow(/password\.rotationDays 1001/);
  });

  it("rejects a password binding without the rotation function's logging", () => {
    expect(() => synthConstruct((scope) => new ProductWorkloads(scope, "shop", props({ passwordRotation: undefined })))).toThrow(
      /services\.cache\.authentication is password, but no passwordRotation logging was given/,
    );
  });
});
