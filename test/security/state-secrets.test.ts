/**
 * No secret values in Terraform state, checked over EVERY synthesized bundled stack (constructs/policy/rules/state.ts,
 * policy rule STATE-NO-SECRETS): no sensitive argument is fed from a generator, a secret-returning data source,
 * another sensitive argument or a literal; no data source reads a secret; generated values reach only write-only
 * arguments — except the documented, rotated bootstrap password of Amazon MQ brokers. Broken fixtures show the check
 * catches each way a secret gets into the state, including the RabbitMQ design this project had before.
 */
import { describe, expect, it } from "vitest";
import { StackModel, type SynthesizedStack } from "../../constructs/policy/model";
import { ACCEPTED_BOOTSTRAP_CREDENTIALS, SENSITIVE_ARGUMENTS, stateSecretFindings } from "../../constructs/policy/rules/state";
import { bundledSynth } from "../support/synth";

const stacks = [...bundledSynth()].map(([name, text]) => [name, JSON.parse(text) as SynthesizedStack] as const);
const messages = (json: SynthesizedStack, name = "fixture") => stateSecretFindings(new StackModel(json, name)).map((finding) => `${finding.block.address}: ${finding.message}`);
const clone = (json: SynthesizedStack) => JSON.parse(JSON.stringify(json)) as { resource: Record<string, Record<string, Record<string, unknown>>>; data: Record<string, Record<string, Record<string, unknown>>> };
const prodInfra = stacks.find(([name]) => name === "prod-infra")?.[1] as SynthesizedStack;

describe("secrets in the Terraform state of every bundled stack", () => {
  it.each(stacks)("%s stores no generated, read or literal secret", (name, json) => {
    expect(messages(json, name)).toEqual([]);
  });

  it("covers the brokers' bootstrap passwords only as the documented, rotated exception", () => {
    expect(ACCEPTED_BOOTSTRAP_CREDENTIALS.map((item) => `${item.type}.${item.argument}`)).toEqual(["aws_mq_broker.user.password"]);
    expect(SENSITIVE_ARGUMENTS.aws_mq_broker).toContain("user.password");
    const brokers = stacks.flatMap(([, json]) => Object.keys(json.resource?.aws_mq_broker ?? {}));
    const rotations = stacks.flatMap(([, json]) => Object.values(json.resource?.aws_secretsmanager_secret_rotation ?? {}));
    // The other rotations are the ElastiCache password users' (constructs/cache-password-rotation): their secrets have
    // no bootstrap password at all (the user starts with IAM authentication), so they are no exception.
    const byFunction = (pattern: RegExp) => rotations.filter((rotation) => pattern.test(String(rotation.rotation_lambda_arn)));
    const brokerRotations = byFunction(/^\$\{aws_lambda_function\.services_rabbitmq-[\w-]+_rotation-function_\w+\.arn\}$/);
    const cacheRotations = byFunction(/^\$\{aws_lambda_function\.cache-password-rotation_function_\w+\.arn\}$/);
    // The PostgreSQL monitoring users' (constructs/postgres-monitor-user): the first version names the user only, the
    // function creates the user with its first password.
    const monitorRotations = byFunction(/^\$\{aws_lambda_function\.services_postgres-[\w-]+-monitor-user_function_\w+\.arn\}$/);
    expect(brokers.length).toBeGreaterThanOrEqual(3);
    expect(brokerRotations).toHaveLength(brokers.length);
    expect(cacheRotations.length).toBeGreaterThan(0);
    expect(monitorRotations.length).toBe(4);
    expect(brokerRotations.length + cacheRotations.length + monitorRotations.length).toBe(rotations.length);
    for (const rotation of rotations) expect(rotation).toMatchObject({ rotate_immediately: true });
  });
});

describe("the check catches every way a secret reaches the state (broken fixtures)", () => {
  it("a broker whose bootstrap password no rotation retires", () => {
    const broken = clone(prodInfra);
    delete broken.resource.aws_secretsmanager_secret_rotation;
    expect(messages(broken as SynthesizedStack).join("\n")).toMatch(/aws_mq_broker\.services_rabbitmq-murima-mq_broker_\w+: user\.password is stored in the Terraform state and comes from data\.aws_secretsmanager_random_password/);
  });

  it("a broker that would push the state's password back (no ignore_changes on user)", () => {
    const broken = clone(prodInfra);
    for (const broker of Object.values(broken.resource.aws_mq_broker ?? {})) broker.lifecycle = { prevent_destroy: true };
    expect(messages(broken as SynthesizedStack).join("\n")).toMatch(/user\.password is stored in the Terraform state/);
  });

  it("the former RabbitMQ design: the generated password in secret_string, the broker reading it back", () => {
    const broken = clone(prodInfra);
    const [versionName, version] = Object.entries(broken.resource.aws_secretsmanager_secret_version ?? {}).find(([name]) => name.startsWith("services_rabbitmq-")) as [string, Record<string, unknown>];
    version.secret_string = version.secret_string_wo;
    delete version.secret_string_wo;
    delete version.secret_string_wo_version;
    for (const broker of Object.values(broken.resource.aws_mq_broker ?? {})) {
      broker.user = [{ username: "platformadmin", password: `\${lookup(jsondecode(aws_secretsmanager_secret_version.${versionName}.secret_string), "password")}` }];
    }
    const found = messages(broken as SynthesizedStack).join("\n");
    expect(found).toMatch(/aws_secretsmanager_secret_version\.\S+: secret_string is stored in the Terraform state and comes from data\.aws_secretsmanager_random_password/);
    expect(found).toMatch(/aws_mq_broker\.\S+: user\.password is stored in the Terraform state and comes from aws_secretsmanager_secret_version\.\S+\.secret_string \(a sensitive argument stored in state\)/);
  });

  it("a database master password from random_password, a literal, a data source reading a secret, a Kubernetes secret from tls_private_key", () => {
    const fixture = {
      resource: {
        random_password: { db: { length: 32 } },
        tls_private_key: { origin: { algorithm: "RSA" } },
        aws_rds_cluster: { db: { cluster_identifier: "acme-prod-db", master_password: "${random_password.db.result}" } },
        aws_db_instance: { legacy: { identifier: "acme-prod-legacy", password: ["not", "a", "real", "one"].join("-") } },
        kubernetes_secret_v1: { tls: { metadata: { name: "origin-tls" }, data: { "tls.key": "${tls_private_key.origin.private_key_pem}" } } },
        helm_release: { app: { name: "app", set_sensitive: [{ name: "token", value: "${data.aws_secretsmanager_secret_version.token.secret_string}" }] } },
      },
      data: { aws_secretsmanager_secret_version: { token: { secret_id: "acme/prod/token" } } },
    } as SynthesizedStack;
    const found = messages(fixture);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^aws_rds_cluster\.db: master_password is stored in the Terraform state and comes from random_password\.db: random_password/),
        expect.stringMatching(/^aws_db_instance\.legacy: password is stored in the Terraform state and comes from a literal value/),
        expect.stringMatching(/^kubernetes_secret_v1\.tls: data is stored in the Terraform state and comes from tls_private_key\.origin/),
        expect.stringMatching(/^helm_release\.app: set_sensitive\.value is stored in the Terraform state and comes from data\.aws_secretsmanager_secret_version\.token/),
        expect.stringMatching(/^data\.aws_secretsmanager_secret_version\.token: data source \S+ stores a secret value in the Terraform state/),
        expect.stringMatching(/^random_password\.db: random_password\.db keeps a generated secret in the Terraform state and feeds aws_rds_cluster\.db/),
        expect.stringMatching(/^tls_private_key\.origin: /),
      ]),
    );
  });

  it("accepts write-only arguments and service-managed credentials", () => {
    const fixture = {
      resource: {
        aws_rds_cluster: { db: { cluster_identifier: "acme-prod-db", manage_master_user_password: true } },
        aws_secretsmanager_secret_version: { app: { secret_id: "acme/prod/app", secret_string_wo: "${data.aws_secretsmanager_random_password.app.random_password}", secret_string_wo_version: 1 } },
      },
      data: { aws_secretsmanager_random_password: { app: { password_length: 32 } } },
    } as SynthesizedStack;
    expect(messages(fixture)).toEqual([]);
  });
});
