/**
 * Secret-scan fixtures. Credential-looking values are assembled at run time so that no credential pattern is
 * ever committed (the repository's own leak check would flag it).
 */
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { DataAwsSecretsmanagerRandomPassword } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-random-password";
import { MqBroker } from "@cdktf/provider-aws/lib/mq-broker";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Release } from "@cdktf/provider-helm/lib/release";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import type { Construct } from "constructs";
import { stringify } from "yaml";
import { container, workload } from "./kubernetes";
import type { RuleCase } from "./support";

/** `count` characters of a fake token body (letters and digits), built at run time. */
function body(count: number): string {
  return Array.from({ length: count }, (_, index) => "aB3dE5gH7jK9mN1pQ"[index % 17]).join("");
}

export const FAKE = {
  awsKey: ["AKIA", "Z7FAKEFAKEFAKE00"].join(""),
  anthropicKey: ["sk", "ant", "api03", `${body(93)}AA`].join("-"),
  openAiProjectKey: ["sk", "proj", body(74)].join("-"),
  openAiLegacyKey: `${["sk", body(20)].join("-")}${["T3Blbk", "FJ"].join("")}${body(20)}`,
  slackRefreshToken: ["xoxe", "1", body(24)].join("-"),
  githubFineGrained: ["github", "pat", body(82)].join("_"),
  stripeLiveKey: ["sk", "live", body(24)].join("_"),
  opensshKey: [["-----BEGIN", "OPENSSH PRIVATE KEY-----"].join(" "), "b3BlbnNzaC1rZXktdjEAAAAA", ["-----END", "OPENSSH PRIVATE KEY-----"].join(" ")].join("\n"),
  privateKey: [["-----BEGIN", "RSA PRIVATE KEY-----"].join(" "), "MIIEowIBAAKCAQEA", ["-----END", "RSA PRIVATE KEY-----"].join(" ")].join("\n"),
  githubToken: ["ghp", "_", "0123456789abcdefghij0123456789abcdef"].join(""),
  slackWebhook: ["https://hooks.slack", ".com/services/", "T00000000/B00000000/", "fakefakefakefakefakefake"].join(""),
  urlWithPassword: ["https://alerts", ":", "s3cr3t-value", "@", "hooks.example.com/notify"].join(""),
};

function parameter(scope: Construct, value: string): void {
  new SsmParameter(scope, "param", { name: "/acme/prod/app/config", type: "String", value });
}

function chart(scope: Construct, values: Record<string, unknown>, set: { name: string; value: string }[] = []): void {
  new Release(scope, "monitoring", {
    name: "monitoring",
    chart: "kube-prometheus-stack",
    repository: "https://prometheus-community.github.io/helm-charts",
    version: "88.5.3",
    values: [stringify(values)],
    set,
  });
}

function lambda(scope: Construct, variables: Record<string, string>): void {
  new LambdaFunction(scope, "fn", { functionName: "acme-prod-hook", role: "arn:aws:iam::123456789012:role/acme-prod-hook", runtime: "nodejs20.x", handler: "index.handler", filename: "hook.zip", environment: { variables } });
}

/** A generated password kept in a secret: write-only (not in state) or as secret_string (in state). */
function generatedSecret(scope: Construct, writeOnly: boolean): void {
  const generated = new DataAwsSecretsmanagerRandomPassword(scope, "generated", { passwordLength: 32 });
  const secret = new SecretsmanagerSecret(scope, "secret", { name: "/acme/prod/services/app/credentials" });
  new SecretsmanagerSecretVersion(scope, "version", writeOnly ? { secretId: secret.id, secretStringWo: generated.randomPassword, secretStringWoVersion: 1 } : { secretId: secret.id, secretString: generated.randomPassword });
}

/** A RabbitMQ broker created with a bootstrap password, with or without the immediate rotation that retires it. */
function bootstrappedBroker(scope: Construct, rotated: boolean): void {
  const generated = new DataAwsSecretsmanagerRandomPassword(scope, "generated", { passwordLength: 32, excludePunctuation: true });
  const secret = new SecretsmanagerSecret(scope, "secret", { name: "/acme/prod/services/queue/credentials" });
  new SecretsmanagerSecretVersion(scope, "version", { secretId: secret.id, secretStringWo: generated.randomPassword, secretStringWoVersion: 1 });
  new MqBroker(scope, "broker", {
    brokerName: "acme-prod-queue",
    engineType: "RabbitMQ",
    engineVersion: "3.13",
    hostInstanceType: "mq.m7g.large",
    user: [{ username: "platformadmin", password: generated.randomPassword }],
    lifecycle: { ignoreChanges: ["user"] },
  });
  if (rotated) {
    new SecretsmanagerSecretRotation(scope, "rotation", {
      secretId: secret.id,
      rotationLambdaArn: "arn:aws:lambda:eu-west-1:123456789012:function:acme-prod-rabbitmq-queue-rotation",
      rotateImmediately: true,
      rotationRules: { automaticallyAfterDays: 90 },
    });
  }
}

export const SECRET_CASES: readonly RuleCase[] = [
  {
    rule: "STATE-NO-SECRETS",
    name: "generated passwords reach secrets write-only",
    compliant: (s) => generatedSecret(s, true),
    violating: (s) => generatedSecret(s, false),
    expect: [/secret_string is stored in the Terraform state and comes from data\.aws_secretsmanager_random_password\.\S+: aws_secretsmanager_random_password data source/],
  },
  {
    rule: "STATE-NO-SECRETS",
    name: "a broker's bootstrap password is accepted only when an immediate rotation retires it",
    compliant: (s) => bootstrappedBroker(s, true),
    violating: (s) => bootstrappedBroker(s, false),
    expect: [/user\.password is stored in the Terraform state and comes from data\.aws_secretsmanager_random_password/],
  },
  {
    rule: "SECRET-AWS-ACCESS-KEY",
    compliant: (s) => parameter(s, "region=eu-west-1"),
    violating: (s) => parameter(s, `AWS_ACCESS_KEY_ID=${FAKE.awsKey}`),
    expect: /value holds an AWS access key id/,
  },
  {
    rule: "SECRET-PRIVATE-KEY",
    compliant: (s) => new SecretsmanagerSecretVersion(s, "tls", { secretId: "acme/prod/tls", secretString: "${tls_private_key.origin.private_key_pem}" }),
    violating: (s) => new SecretsmanagerSecretVersion(s, "tls", { secretId: "acme/prod/tls", secretString: FAKE.privateKey }),
    expect: /secret_string holds a private key/,
  },
  {
    rule: "SECRET-TOKEN",
    compliant: (s) => chart(s, {}, [{ name: "github.tokenSecretName", value: "github-token" }]),
    violating: (s) => chart(s, {}, [{ name: "github.auth", value: FAKE.githubToken }]),
    expect: /set\[0\]\.value holds a GitHub token/,
  },
  {
    rule: "SECRET-TOKEN",
    name: "vendor API keys: Anthropic, OpenAI, Slack, GitHub fine-grained, Stripe",
    compliant: (s) => parameter(s, "sk-ant-example sk-proj-short xoxb-short github_pat_x sk_live_x sk-1234"),
    violating: (s) => {
      parameter(s, `ANTHROPIC=${FAKE.anthropicKey}`);
      new SsmParameter(s, "openai", { name: "/acme/prod/app/openai", type: "String", value: `${FAKE.openAiProjectKey} ${FAKE.openAiLegacyKey}` });
      new SsmParameter(s, "slack", { name: "/acme/prod/app/slack", type: "String", value: FAKE.slackRefreshToken });
      new SsmParameter(s, "github", { name: "/acme/prod/app/github", type: "String", value: FAKE.githubFineGrained });
      new SsmParameter(s, "stripe", { name: "/acme/prod/app/stripe", type: "String", value: FAKE.stripeLiveKey });
    },
    expect: [/holds an Anthropic API key/, /holds an OpenAI API key/, /holds a Slack token/, /holds a GitHub token/, /holds a Stripe live key/],
  },
  {
    rule: "SECRET-PRIVATE-KEY",
    name: "OpenSSH keys",
    compliant: (s) => parameter(s, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPublicKeyOnly acme"),
    violating: (s) => parameter(s, FAKE.opensshKey),
    expect: /value holds a private key/,
  },
  {
    rule: "SECRET-WEBHOOK-URL",
    compliant: (s) => chart(s, { alertmanager: { config: { receivers: [{ name: "slack", slack_configs: [{ api_url_file: "/etc/alertmanager/secrets/slack/url" }] }] } } }),
    violating: (s) => chart(s, { alertmanager: { config: { receivers: [{ name: "slack", slack_configs: [{ api_url: FAKE.slackWebhook }] }] } } }),
    expect: /values\[0\] holds a Slack webhook URL/,
  },
  {
    rule: "SECRET-WEBHOOK-URL",
    name: "credentials in a URL",
    compliant: (s) => parameter(s, "https://hooks.example.com/notify"),
    violating: (s) => parameter(s, FAKE.urlWithPassword),
    expect: /holds a URL with embedded credentials/,
  },
  {
    rule: "SECRET-LITERAL-CREDENTIAL",
    compliant: (s) => chart(s, { grafana: { admin: { existingSecret: "grafana-admin", userKey: "user", passwordKey: "password" } } }),
    violating: (s) => chart(s, { grafana: { adminPassword: "prom-operator" } }),
    expect: /values\[0\] grafana\.adminPassword is a literal credential/,
  },
  {
    rule: "SECRET-LITERAL-CREDENTIAL",
    name: "SSM parameters named like a credential",
    compliant: (s) => {
      new SsmParameter(s, "host", { name: "/acme/prod/noor/DB_HOST", type: "String", value: "db.internal" });
      new SsmParameter(s, "password-arn", { name: "/acme/prod/noor/DB_PASSWORD_SECRET_ARN", type: "String", value: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db" });
    },
    violating: (s) => new SsmParameter(s, "password", { name: "/acme/prod/noor/DB_PASSWORD", type: "String", value: "Sup3rS3cretPassw0rd!" }),
    expect: /SSM parameter \/acme\/prod\/noor\/DB_PASSWORD \(String\) holds a literal credential in value/,
  },
  {
    rule: "SECRET-LITERAL-CREDENTIAL",
    name: "container environment and Kubernetes secret data",
    compliant: (s) =>
      workload(s, { container: { ...container(), env: [{ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }, { name: "LOG_LEVEL", value: "info" }] } }),
    violating: (s) => {
      workload(s, { container: { ...container(), env: [{ name: "DB_PASSWORD", value: "hunter2hunter2" }] } });
      new SecretV1(s, "db", { metadata: { name: "db", namespace: "shop" }, data: { password: "hunter2hunter2" } });
    },
    expect: [/env DB_PASSWORD is a literal credential/, /data\.password is a literal value/],
  },
  {
    rule: "SECRET-LITERAL-CREDENTIAL",
    name: "credential-named variables of Lambda functions, manifests and Helm values",
    compliant: (s) => {
      lambda(s, { DB_PASSWORD_FILE: "/run/secrets/db", API_TOKEN_URL: "https://auth.example.com/token", SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x", LOG_LEVEL: "info", FEATURE_TOKEN_AUTH_ENABLED: "true" });
      chart(s, { env: [{ name: "SMTP_PASS", valueFrom: { secretKeyRef: { name: "smtp", key: "password" } } }], externalSecrets: [{ secretKey: "password", remoteRef: { key: "acme/prod/smtp" } }] });
    },
    violating: (s) => {
      lambda(s, { SMTP_PASS: "hunter2hunter2", PAYMENT_API_KEY: "k-12345", SESSION_SECRET_SALT: "pepper", GITHUB_TOKEN_VALUE: "abc" });
      new Manifest(s, "job", { manifest: { apiVersion: "batch/v1", kind: "Job", metadata: { name: "migrate", namespace: "shop" }, spec: { template: { spec: { containers: [{ name: "migrate", image: "migrate:1.0", env: [{ name: "DB_PASSWORD", value: "hunter2hunter2" }] }] } } } } });
      chart(s, { extraEnv: { ADMIN_PASS: "hunter2hunter2" }, auth: { apiToken: "abc123abc123" } });
    },
    expect: [
      /environment variable SMTP_PASS is a literal credential/,
      /environment variable PAYMENT_API_KEY is a literal credential/,
      /environment variable SESSION_SECRET_SALT is a literal credential/,
      /environment variable GITHUB_TOKEN_VALUE is a literal credential/,
      /Job \(manifest\) container migrate env DB_PASSWORD is a literal credential/,
      /values\[0\] extraEnv\.ADMIN_PASS is a literal credential/,
      /values\[0\] auth\.apiToken is a literal credential/,
    ],
  },
  {
    rule: "SECRET-LITERAL-CREDENTIAL",
    name: "credential-named attributes",
    compliant: (s) => new SecretsmanagerSecretVersion(s, "token", { secretId: "acme/prod/cache", secretString: "${random_password.cache.result}" }),
    violating: (s) => new SecretsmanagerSecretVersion(s, "token", { secretId: "acme/prod/cache", secretString: "plain-text-token" }),
    expect: /secret_string is a literal credential/,
  },
];
