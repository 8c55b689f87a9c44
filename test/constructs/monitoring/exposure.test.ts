/**
 * Grafana and Alertmanager exposure (observability.exposure): off by default; an internal or SSO-protected load
 * balancer of their own on hosts of an edge domain; no credential in configuration or synthesized JSON.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PROFILE_DEFAULTS } from "../../../config/defaults";
import { ExposureSchema, ObservabilitySchema, type ExposureConfig } from "../../../config/schema/observability";
import { AlertRules } from "../../../constructs/alert-rules";
import { Naming } from "../../../constructs/core/naming";
import { Monitoring, OIDC_CLIENT_SECRET, type MonitoringProps } from "../../../constructs/monitoring";
import { ingressGroupSettings } from "../../../constructs/workload/ingress";
import { bundledStackJson, resourceList, resourcesOf, synthConstruct, TEST_ACCOUNT, type Synthesized } from "../../support/synth";

const o = ObservabilitySchema.parse(PROFILE_DEFAULTS.production.observability);
const naming = new Naming({ project: "acme", environment: "prod" });
const policy = { scheme: "internal" as const, sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", idleTimeoutSeconds: 60, deregistrationDelaySeconds: 30, deletionProtection: true };

function exposure(overrides: Record<string, unknown>): ExposureConfig {
  return ExposureSchema.parse({ ...PROFILE_DEFAULTS.production.observability?.exposure, enabled: true, domain: "platform", ...overrides });
}

function props(config?: ExposureConfig): MonitoringProps {
  return {
    naming,
    account: TEST_ACCOUNT,
    clusterName: "acme-prod-eks",
    prometheus: o.prometheus,
    alertmanager: o.alertmanager,
    grafana: o.grafana,
    cloudwatchExporter: o.cloudwatchExporter,
    alertRules: new AlertRules(o.alertRules),
    alertsTopic: { name: "acme-prod-alerts", keyAlias: "alias/acme-prod-alerts" },
    receiverSecrets: { keyAlias: "alias/acme-prod-data", recoveryWindowDays: 30, protect: true },
    ...(config
      ? {
          exposure: {
            config,
            domain: "acme.example.com",
            group: { ...ingressGroupSettings(naming, { ...policy, scheme: config.scheme }), groupName: "acme-prod-monitoring", loadBalancerName: "acme-prod-monitoring" },
            allowedCidrs: config.allowedCidrs ?? ["10.30.0.0/16", "172.16.0.0/16"],
          },
        }
      : {}),
  };
}

/** Parsed Helm values, navigated freely by the assertions. */
// oxlint-disable-next-line typescript/no-explicit-any -- a YAML document of unknown shape; each assertion states what it expects
type Values = Record<string, any>;

function kpsValues(json: Synthesized): Values {
  const release = Object.values(resourcesOf(json, "helm_release")).find((item) => item.name === "kube-prometheus-stack");
  if (!release) throw new Error("no kube-prometheus-stack release");
  return (release.values as string[]).map((text) => parse(text) as Values).reduce((acc, doc) => ({ ...acc, ...doc }), {});
}

const ingresses = (json: Synthesized) => resourceList(json, "kubernetes_ingress_v1") as { metadata: { name: string; namespace: string; annotations: Record<string, string> }; spec: { rule: { host: string; http: { path: { backend: { service: { name: string; port: { number: number } } } }[] } }[] } }[];

describe("exposure defaults", () => {
  it("is off: no load balancer, no ingress, Grafana keeps its in-cluster URL", () => {
    expect(o.exposure).toEqual({ enabled: false, hosts: { grafana: "monitoring", alertmanager: "alertmanager" }, scheme: "internal", authentication: { type: "none" } });
    const { json } = synthConstruct((scope) => new Monitoring(scope, "monitoring", props()));
    expect(ingresses(json)).toEqual([]);
    expect(kpsValues(json).grafana.env).toBeUndefined();
  });
});

describe("an internal exposure (the bundled production's)", () => {
  const { json, construct } = synthConstruct((scope) => new Monitoring(scope, "monitoring", props(exposure({}))));
  const grafana = ingresses(json).find((ingress) => ingress.metadata.name === "grafana-sso");
  const alertmanager = ingresses(json).find((ingress) => ingress.metadata.name === "alertmanager-sso");

  it("routes monitoring.<domain> to Grafana and alertmanager.<domain> to Alertmanager on an internal ALB of their own", () => {
    expect([grafana?.spec.rule[0]?.host, alertmanager?.spec.rule[0]?.host]).toEqual(["monitoring.acme.example.com", "alertmanager.acme.example.com"]);
    expect(grafana?.spec.rule[0]?.http.path[0]?.backend.service).toEqual({ name: "kube-prometheus-stack-grafana", port: { number: 80 } });
    expect(alertmanager?.spec.rule[0]?.http.path[0]?.backend.service).toEqual({ name: "kube-prometheus-stack-alertmanager", port: { number: 9093 } });
    // The namespace by reference: the Ingress is created after the monitoring namespace.
    expect(grafana?.metadata.namespace).toMatch(/^\$\{kubernetes_namespace_v1\.monitoring_namespace_[A-F0-9]+\.metadata\[0\]\.name\}$/);
    expect(grafana?.metadata.annotations).toMatchObject({
      "alb.ingress.kubernetes.io/group.name": "acme-prod-monitoring",
      "alb.ingress.kubernetes.io/scheme": "internal",
      "alb.ingress.kubernetes.io/inbound-cidrs": "10.30.0.0/16,172.16.0.0/16",
      "alb.ingress.kubernetes.io/ssl-redirect": "443",
    });
    expect(grafana?.metadata.annotations["alb.ingress.kubernetes.io/certificate-arn"]).toMatch(/^\$\{data\.aws_acm_certificate\./);
    expect(grafana?.metadata.annotations["alb.ingress.kubernetes.io/auth-type"]).toBeUndefined();
    expect(construct.secretGates).toHaveLength(0);
  });

  it("tells Grafana and Alertmanager their public URLs", () => {
    const values = kpsValues(json);
    expect(values.grafana.env).toEqual({ GF_SERVER_ROOT_URL: "https://monitoring.acme.example.com" });
    expect(values.alertmanager.alertmanagerSpec.externalUrl).toBe("https://alertmanager.acme.example.com");
  });
});

describe("an exposure behind OIDC single sign-on", () => {
  const config = exposure({
    scheme: "internet-facing",
    authentication: {
      type: "oidc",
      issuer: "https://login.example.com",
      authorizationEndpoint: "https://login.example.com/authorize",
      tokenEndpoint: "https://login.example.com/token",
      userInfoEndpoint: "https://login.example.com/userinfo",
      clientCredentialsSecret: "monitoring/oidc",
    },
  });
  const { json, construct } = synthConstruct((scope) => new Monitoring(scope, "monitoring", props(config)));
  const grafana = ingresses(json).find((ingress) => ingress.metadata.name === "grafana-sso");

  it("authenticates with the identity provider before any request reaches Grafana or Alertmanager", () => {
    expect(grafana?.metadata.annotations).toMatchObject({
      "alb.ingress.kubernetes.io/scheme": "internet-facing",
      "alb.ingress.kubernetes.io/auth-type": "oidc",
      "alb.ingress.kubernetes.io/auth-on-unauthenticated-request": "authenticate",
      "alb.ingress.kubernetes.io/auth-scope": "openid email",
      "alb.ingress.kubernetes.io/auth-session-timeout": "3600",
    });
    expect(JSON.parse(grafana?.metadata.annotations["alb.ingress.kubernetes.io/auth-idp-oidc"] ?? "{}")).toEqual({
      issuer: "https://login.example.com",
      authorizationEndpoint: "https://login.example.com/authorize",
      tokenEndpoint: "https://login.example.com/token",
      userInfoEndpoint: "https://login.example.com/userinfo",
      secretName: OIDC_CLIENT_SECRET,
    });
  });

  it("keeps the client in a Secrets Manager secret created empty, synced by External Secrets, readable by the controller alone", () => {
    expect(resourceList(json, "aws_secretsmanager_secret")).toEqual([expect.objectContaining({ name: "acme-prod/monitoring/oidc", kms_key_id: "alias/acme-prod-data", lifecycle: { prevent_destroy: true } })]);
    expect(construct.secretGates).toHaveLength(1);
    const sync = resourceList(json, "helm_release").find((release) => release.name === "monitoring-oidc") as { values: string[] };
    expect(parse(sync.values[0] as string).externalSecrets).toEqual([
      {
        name: "monitoring-oidc",
        store: "aws-secrets-manager",
        refreshInterval: "1h",
        data: [
          { secretKey: "clientID", remoteRef: { key: "acme-prod/monitoring/oidc", property: "clientID" } },
          { secretKey: "clientSecret", remoteRef: { key: "acme-prod/monitoring/oidc", property: "clientSecret" } },
        ],
      },
    ]);
    expect(resourceList(json, "kubernetes_role_v1")).toEqual([
      expect.objectContaining({ rule: [{ api_groups: [""], resources: ["secrets"], resource_names: ["monitoring-oidc"], verbs: ["get", "list", "watch"] }] }),
    ]);
    expect(resourceList(json, "kubernetes_role_binding_v1")[0]).toMatchObject({ subject: [{ kind: "ServiceAccount", name: "aws-load-balancer-controller", namespace: "kube-system" }] });
    expect(JSON.stringify(json)).not.toMatch(/clientSecret"\s*:\s*"[^$]/);
  });
});

describe("an exposure behind a Cognito user pool", () => {
  it("names the pool, its app client and its domain prefix", () => {
    const config = exposure({ authentication: { type: "cognito", userPoolArn: "arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_AbC", userPoolClientId: "abc123", userPoolDomain: "acme-sso" } });
    const grafana = ingresses(synthConstruct((scope) => new Monitoring(scope, "monitoring", props(config))).json).find((ingress) => ingress.metadata.name === "grafana-sso");
    expect(grafana?.metadata.annotations["alb.ingress.kubernetes.io/auth-type"]).toBe("cognito");
    expect(JSON.parse(grafana?.metadata.annotations["alb.ingress.kubernetes.io/auth-idp-cognito"] ?? "{}")).toEqual({ userPoolARN: "arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_AbC", userPoolClientID: "abc123", userPoolDomain: "acme-sso" });
  });
});

describe("exposure validation", () => {
  const issues = (input: Record<string, unknown>) => {
    const result = ExposureSchema.safeParse({ ...PROFILE_DEFAULTS.production.observability?.exposure, enabled: true, domain: "platform", ...input });
    return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  };

  it("needs a domain when enabled", () => {
    expect(issues({ domain: undefined })).toEqual(["domain: name the edge domain (a key of edge.domains) the monitoring hosts live under"]);
  });

  it("refuses an internet-facing exposure without single sign-on", () => {
    expect(issues({ scheme: "internet-facing" })).toEqual(["authentication.type: an internet-facing Grafana and Alertmanager need single sign-on in front (oidc or cognito): Alertmanager has no login of its own"]);
  });

  it("refuses a pasted client secret URL, a Cognito domain given as a URL, and one host for both", () => {
    const oidc = { type: "oidc", issuer: "https://a", authorizationEndpoint: "https://a/x", tokenEndpoint: "https://a/t", userInfoEndpoint: "https://a/u" };
    expect(issues({ authentication: { ...oidc, clientCredentialsSecret: "https://hooks.example.com/secret" } })[0]).toMatch(/^authentication\.clientCredentialsSecret: this looks like a URL/);
    expect(issues({ authentication: { type: "cognito", userPoolArn: "arn:aws:cognito-idp:eu-west-1:111111111111:userpool/x", userPoolClientId: "abc", userPoolDomain: "https://acme.auth.eu-west-1.amazoncognito.com" } })[0]).toMatch(/^authentication\.userPoolDomain: expected the Cognito domain prefix/);
    expect(issues({ hosts: { grafana: "ops", alertmanager: "ops" } })).toEqual(["hosts.alertmanager: Grafana and Alertmanager need hosts of their own"]);
  });

  it("refuses the whole internet on an internal load balancer", () => {
    expect(issues({ allowedCidrs: ["0.0.0.0/0"] })).toEqual(["allowedCidrs.0: an internal load balancer admits networks that reach the VPC; list them instead of the whole internet"]);
  });

  it("rejects a construct exposure whose client secret repeats the environment's prefix", () => {
    const config = exposure({ authentication: { type: "oidc", issuer: "https://a", authorizationEndpoint: "https://a/x", tokenEndpoint: "https://a/t", userInfoEndpoint: "https://a/u", clientCredentialsSecret: "acme-prod/monitoring/oidc" } });
    expect(() => synthConstruct((scope) => new Monitoring(scope, "monitoring", props(config)))).toThrow(/clientCredentialsSecret "acme-prod\/monitoring\/oidc" must be a secret name relative to acme-prod\//);
  });
});

describe("the bundled production exposure", () => {
  it("puts Grafana and Alertmanager on the internal monitoring load balancer, admitting the VPC and the corporate network", () => {
    const grafana = ingresses(bundledStackJson("prod-platform")).find((ingress) => ingress.metadata.name === "grafana-sso");
    expect(grafana?.spec.rule[0]?.host).toBe("monitoring.acme.example.com");
    expect(grafana?.metadata.annotations).toMatchObject({
      "alb.ingress.kubernetes.io/group.name": "acme-prod-monitoring",
      "alb.ingress.kubernetes.io/scheme": "internal",
      "alb.ingress.kubernetes.io/inbound-cidrs": "10.30.0.0/16,172.16.0.0/16",
    });
    expect(grafana?.metadata.annotations["alb.ingress.kubernetes.io/load-balancer-attributes"]).toContain("deletion_protection.enabled=true");
  });
});
