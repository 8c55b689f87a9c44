/**
 * Grafana and Alertmanager on hosts of one of the edge's domains (`observability.exposure`, off by default), behind a
 * load balancer of their own (ALB IngressGroup `<prefix>-monitoring`), so the monitoring UIs never share a listener,
 * scheme or rules with the products:
 *
 * - `internal` (default): an internal ALB reachable from the VPC and its peer networks (VPN, peering), admitting only
 *   `allowedCidrs` (default those networks); `internet-facing` requires single sign-on.
 * - Single sign-on by the load balancer before any request reaches Grafana or Alertmanager (which has no login of its
 *   own): OIDC (any provider; the client id and secret come from a Secrets Manager secret the stack creates empty and a
 *   human seeds, synced by External Secrets into the Kubernetes Secret the controller reads) or a Cognito user pool.
 *   Grafana keeps its own login behind it. No credential is in configuration or state.
 * - HTTPS only (HTTP redirects), the environment's TLS policy, certificate `*.<domain>` (the edge's), the environment's
 *   regional web ACL and access logs, deletion protection where configured; external-dns publishes the hosts.
 * - The controller may read only the OIDC client Secret in the monitoring namespace (a Role limited to its name; the
 *   controller watches a Secret by name, so list and watch are authorized by resourceNames), not every Secret
 *   (the chart's `clusterSecretsPermissions.allowAllSecrets`, which this platform leaves off).
 *
 * The Ingresses point at the Services kube-prometheus-stack creates (release `kube-prometheus-stack`).
 */
import { DataAwsAcmCertificate } from "@cdktf/provider-aws/lib/data-aws-acm-certificate";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import type { Release } from "@cdktf/provider-helm/lib/release";
import { IngressV1 } from "@cdktf/provider-kubernetes/lib/ingress-v1";
import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { RoleBindingV1 } from "@cdktf/provider-kubernetes/lib/role-binding-v1";
import { RoleV1 } from "@cdktf/provider-kubernetes/lib/role-v1";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { localChartRelease } from "../../charts/release";
import { RELATIVE_SECRET_NAME, type ExposureConfig } from "../../config/schema/observability";
import type { Naming } from "../core/naming";
import { OIDC_CLIENT_KEYS, oidcSecretsManagerName } from "./values";
import { SECRETS_MANAGER_STORE } from "../core/platform-contracts";
import { SecretValueGate } from "../secret-values";
import { ALB_ANNOTATIONS, groupAnnotations, INGRESS_CLASS_NAME, type IngressGroupSettings } from "../workload/ingress";

/** Services of the kube-prometheus-stack release (`<release>-grafana` port 80, `<release>-alertmanager` port 9093). */
export const GRAFANA_SERVICE = { name: "kube-prometheus-stack-grafana", port: 80 } as const;
export const ALERTMANAGER_SERVICE = { name: "kube-prometheus-stack-alertmanager", port: 9093 } as const;
/** Kubernetes Secret with the OIDC client (`clientID`, `clientSecret`: the keys the load balancer controller reads). */
export const OIDC_CLIENT_SECRET = "monitoring-oidc";
/** The load balancer controller's service account (kube-system). */
export const LOAD_BALANCER_CONTROLLER = { namespace: "kube-system", serviceAccount: "aws-load-balancer-controller" } as const;
/** How often External Secrets re-reads the OIDC client (picks up a rotated client secret). */
export const OIDC_SECRET_REFRESH = "1h";

const ALB = "alb.ingress.kubernetes.io";
export const AUTH_ANNOTATIONS = {
  type: `${ALB}/auth-type`,
  oidc: `${ALB}/auth-idp-oidc`,
  cognito: `${ALB}/auth-idp-cognito`,
  onUnauthenticated: `${ALB}/auth-on-unauthenticated-request`,
  scope: `${ALB}/auth-scope`,
  sessionTimeout: `${ALB}/auth-session-timeout`,
  inboundCidrs: `${ALB}/inbound-cidrs`,
} as const;

export interface MonitoringExposureProps {
  readonly naming: Naming;
  readonly config: ExposureConfig;
  /** The DNS name of the edge domain the hosts live under. */
  readonly domain: string;
  /** The monitoring load balancer's group settings (scheme, TLS policy, WAF, access logs, deletion protection). */
  readonly group: IngressGroupSettings;
  /** Client CIDRs admitted by the load balancer. */
  readonly allowedCidrs: readonly string[];
  /** The monitoring namespace (the Ingresses, the Role and the OIDC Secret live there). */
  readonly namespace: NamespaceV1;
  /** The monitoring release (its Services) and the External Secrets stores. */
  readonly dependsOn: readonly ITerraformDependable[];
  /** Where the OIDC client secret is kept: the scope's data key, recovery window, protection. */
  readonly secrets: { readonly keyAlias: string; readonly recoveryWindowDays: number; readonly protect: boolean };
}

export function exposureProblems(props: Pick<MonitoringExposureProps, "config" | "domain" | "allowedCidrs" | "naming">): string[] {
  const problems: string[] = [];
  const { config } = props;
  if (!config.enabled) problems.push("exposure is not enabled");
  if (config.scheme === "internet-facing" && config.authentication.type === "none") problems.push("an internet-facing exposure needs oidc or cognito authentication");
  if (props.allowedCidrs.length === 0) problems.push("allowedCidrs must list at least one network");
  if (!/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(props.domain)) problems.push(`domain "${props.domain}" is not a DNS name`);
  if (config.authentication.type === "oidc") {
    const secret = config.authentication.clientCredentialsSecret;
    if (!RELATIVE_SECRET_NAME.test(secret) || secret.startsWith(`${props.naming.prefix}/`)) {
      problems.push(`authentication.clientCredentialsSecret "${secret}" must be a secret name relative to ${props.naming.prefix}/`);
    }
  }
  return problems;
}

/** The load balancer authentication annotations of an exposure (none without authentication). */
export function authenticationAnnotations(config: ExposureConfig): Record<string, string> {
  const auth = config.authentication;
  if (auth.type === "none") return {};
  const common = {
    [AUTH_ANNOTATIONS.onUnauthenticated]: "authenticate",
    [AUTH_ANNOTATIONS.sessionTimeout]: String(auth.sessionTimeoutSeconds),
  };
  if (auth.type === "cognito") {
    return {
      ...common,
      [AUTH_ANNOTATIONS.type]: "cognito",
      [AUTH_ANNOTATIONS.cognito]: JSON.stringify({ userPoolARN: auth.userPoolArn, userPoolClientID: auth.userPoolClientId, userPoolDomain: auth.userPoolDomain }),
    };
  }
  return {
    ...common,
    [AUTH_ANNOTATIONS.type]: "oidc",
    [AUTH_ANNOTATIONS.scope]: auth.scope,
    [AUTH_ANNOTATIONS.oidc]: JSON.stringify({
      issuer: auth.issuer,
      authorizationEndpoint: auth.authorizationEndpoint,
      tokenEndpoint: auth.tokenEndpoint,
      userInfoEndpoint: auth.userInfoEndpoint,
      secretName: OIDC_CLIENT_SECRET,
    }),
  };
}

export class MonitoringExposure extends Construct {
  readonly grafanaHost: string;
  readonly alertmanagerHost: string;
  readonly certificate: DataAwsAcmCertificate;
  readonly ingresses: Readonly<Record<"grafana" | "alertmanager", IngressV1>>;
  /** The OIDC client's secret (created empty), its gate and the release syncing it (OIDC only). */
  readonly clientSecret?: SecretsmanagerSecret;
  readonly secretGate?: SecretValueGate;
  readonly secretsRelease?: Release;

  constructor(scope: Construct, id: string, props: MonitoringExposureProps) {
    super(scope, id);
    const problems = exposureProblems(props);
    if (problems.length > 0) throw new Error(`MonitoringExposure ${id}:\n  - ${problems.join("\n  - ")}`);
    const { config, naming } = props;
    const namespace = props.namespace.metadata.name;
    this.grafanaHost = `${config.hosts.grafana}.${props.domain}`;
    this.alertmanagerHost = `${config.hosts.alertmanager}.${props.domain}`;
    // The edge issues `*.<domain>` for every declared domain (constructs/edge); the hosts are one label below it.
    this.certificate = new DataAwsAcmCertificate(this, "certificate", { domain: `*.${props.domain}`, statuses: ["ISSUED"], mostRecent: true });

    const after: ITerraformDependable[] = [props.namespace, ...props.dependsOn];
    if (config.authentication.type === "oidc") {
      const name = oidcSecretsManagerName(naming.prefix, config) as string;
      this.clientSecret = new SecretsmanagerSecret(this, "oidc-client", {
        name,
        description: "OIDC client of the monitoring load balancer (JSON keys clientID, clientSecret); value set out of band, synced by External Secrets",
        kmsKeyId: props.secrets.keyAlias,
        recoveryWindowInDays: props.secrets.recoveryWindowDays,
        lifecycle: { preventDestroy: props.secrets.protect },
      });
      this.secretGate = new SecretValueGate(this, "oidc-client-value", { secret: this.clientSecret, name });
      this.secretsRelease = localChartRelease(this, "oidc-client-sync", {
        chart: "workload-secrets",
        name: "monitoring-oidc",
        namespace,
        values: {
          labels: { "app.kubernetes.io/part-of": "monitoring" },
          externalSecrets: [
            {
              name: OIDC_CLIENT_SECRET,
              store: SECRETS_MANAGER_STORE,
              refreshInterval: OIDC_SECRET_REFRESH,
              data: OIDC_CLIENT_KEYS.map((key) => ({ secretKey: key, remoteRef: { key: name, property: key } })),
            },
          ],
        },
        dependsOn: [...after, this.clientSecret],
      });
      // The controller reads exactly this Secret (by name), nothing else of the namespace.
      const role = new RoleV1(this, "controller-secret-reader", {
        metadata: { name: "load-balancer-controller-oidc", namespace },
        rule: [{ apiGroups: [""], resources: ["secrets"], resourceNames: [OIDC_CLIENT_SECRET], verbs: ["get", "list", "watch"] }],
        dependsOn: [props.namespace],
      });
      new RoleBindingV1(this, "controller-secret-reader-binding", {
        metadata: { name: "load-balancer-controller-oidc", namespace },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
        subject: [{ kind: "ServiceAccount", name: LOAD_BALANCER_CONTROLLER.serviceAccount, namespace: LOAD_BALANCER_CONTROLLER.namespace }],
        dependsOn: [props.namespace],
      });
    }

    const annotations = {
      ...groupAnnotations(props.group),
      [ALB_ANNOTATIONS.certificateArn]: this.certificate.arn,
      [AUTH_ANNOTATIONS.inboundCidrs]: props.allowedCidrs.join(","),
      ...authenticationAnnotations(config),
    };
    const ingress = (name: "grafana" | "alertmanager", host: string, service: { name: string; port: number }, healthPath: string) =>
      new IngressV1(this, `${name}-ingress`, {
        metadata: {
          name: `${name}-sso`,
          namespace,
          labels: { "app.kubernetes.io/part-of": "monitoring" },
          annotations: { ...annotations, [ALB_ANNOTATIONS.healthcheckPath]: healthPath, [ALB_ANNOTATIONS.successCodes]: "200-399" },
        },
        spec: {
          ingressClassName: INGRESS_CLASS_NAME,
          rule: [{ host, http: { path: [{ path: "/", pathType: "Prefix", backend: { service: { name: service.name, port: { number: service.port } } } }] } }],
        },
        dependsOn: [...after, ...(this.secretsRelease ? [this.secretsRelease] : [])],
      });
    this.ingresses = {
      grafana: ingress("grafana", this.grafanaHost, GRAFANA_SERVICE, "/api/health"),
      alertmanager: ingress("alertmanager", this.alertmanagerHost, ALERTMANAGER_SERVICE, "/-/healthy"),
    };
  }
}
