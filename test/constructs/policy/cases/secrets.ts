/**
 * Secret-scan fixtures. Credential-looking values are assembled at run time so that no credential pattern is
 * ever committed (the repository's own leak check would flag it).
 */
import { DataAwsSecretsmanagerRandomPassword } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-random-password";
import { MqBroker } from "@cdktf/provider-aws/lib/mq-broker";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Release } from "@cdktf/provider-helm/lib/release";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import type { Construct } from "constructs";
import { stringify } from "yaml";
import { container, workload } from "./kubernetes";
import type { RuleCase } from "./support";

export const FAKE = {
  awsKey: ["AKIA", "Z7FAKEFAKEFAKE00"].join(""),
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
    name: "credential-named attributes",
    compliant: (s) => new SecretsmanagerSecretVersion(s, "token", { secretId: "acme/prod/cache", secretString: "${random_password.cache.result}" }),
    violating: (s) => new SecretsmanagerSecretVersion(s, "token", { secretId: "acme/prod/cache", secretString: "plain-text-token" }),
    expect: /secret_string is a literal credential/,
  },
];
