/**
 * One OpenSearch security-plugin role and its mapping to IAM roles, applied by an idempotent Job in the
 * search-security namespace (constructs/search-security) as the domain's master role:
 * `PUT _plugins/_security/api/roles/<role>` and `PUT _plugins/_security/api/rolesmapping/<role>` replace both as a
 * whole, so applying again converges and a changed definition (or backend role list) replaces the Job, which runs
 * again. Requests are signed with SigV4 (`curl --aws-sigv4`) using the Job's EKS Pod Identity credentials.
 *
 * Least privilege per writer (`searchRoleDefinition`):
 * - `logs`: Fluent Bit writes (create and index) `logs-*` and nothing else;
 * - an application (the environment's instance of a product, or a shared tenant): everything on its own index
 *   pattern (`<product>-*`, `<tenant>-*`), the multi-document operations (bulk, msearch, mget) that the plugin
 *   authorizes per index, and nothing cluster-wide that lists other indices.
 *
 * Known limit: removing a writer (a tenant's decommission) leaves its role and mapping in the domain; its IAM roles
 * are gone, so the mapping admits nobody and the domain's access policy no longer admits them (they carried its
 * access tag). `npm run tenant -- remove` lists deleting `tenant-<id>` among the decommission steps.
 */
import { createHash } from "node:crypto";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { roleArn, type AccountScope } from "../core/aws";
import { JobV1 } from "../core/kubernetes-workload-resources";
import { publishedConnection } from "../core/connection-lookup";
import { LOG_INDEX_PREFIX } from "../core/data-users";
import { validateName, type Naming } from "../core/naming";
import { SEARCH_SECURITY_NAMESPACE, searchAdminServiceAccount } from "../opensearch";
import { SEARCH_JOB_RESOURCES } from "../search-security";
import { MANAGED_BY_LABEL } from "../workload/labels";
import { acceptPolicyFinding } from "../policy/exceptions";

/** curl: the curl project's image curlimages/curl 8.21.0 (the version the pinned grafana chart 12.11.1 uses), by digest. */
export const SEARCH_JOB_IMAGE = "docker.io/curlimages/curl:8.21.0@sha256:7c12af72ceb38b7432ab85e1a265cff6ae58e06f95539d539b654f2cfa64bb13";
/** Non-root user of the image (curl_user). */
const SEARCH_JOB_UID = 100;
const SEARCH_JOB_BACKOFF_LIMIT = 4;
const SEARCH_JOB_TIMEOUT = "10m";
/** EKS Pod Identity agent (credentials) and HTTPS to the domain. */
const POD_IDENTITY_AGENT = { cidr: "169.254.170.23/32", port: 80 };
const HTTPS_PORT = 443;

/** A role of the security plugin (its REST API's body). */
export interface SearchRoleDefinition {
  readonly cluster_permissions: readonly string[];
  readonly index_permissions: readonly { readonly index_patterns: readonly string[]; readonly allowed_actions: readonly string[] }[];
}

/** Whose role: Fluent Bit's, or an application's (index prefix `<product>-` or `<tenant>-`). */
export type SearchWriter = { readonly kind: "logs" } | { readonly kind: "application"; readonly indexPrefix: string };

/** The least-privilege role of a writer (see the module comment). */
export function searchRoleDefinition(writer: SearchWriter): SearchRoleDefinition {
  if (writer.kind === "logs") {
    return {
      cluster_permissions: ["indices:data/write/bulk"],
      index_permissions: [
        {
          index_patterns: [`${LOG_INDEX_PREFIX}*`],
          allowed_actions: ["indices:admin/create", "indices:admin/mapping/put", "indices:data/write/index", "indices:data/write/bulk*"],
        },
      ],
    };
  }
  if (!/^[a-z0-9][a-z0-9-]*-$/.test(writer.indexPrefix)) throw new Error(`index prefix "${writer.indexPrefix}" must be a name followed by "-"`);
  return {
    cluster_permissions: ["cluster_composite_ops"],
    index_permissions: [{ index_patterns: [`${writer.indexPrefix}*`], allowed_actions: ["indices_all"] }],
  };
}

/** Name of a writer's role in the security plugin: `platform-logs`, `app-<product>`, `tenant-<id>`. */
export function searchRoleName(owner: { readonly logs: true } | { readonly product: string; readonly tenant?: string }): string {
  if ("logs" in owner) return "platform-logs";
  return owner.tenant ? `tenant-${owner.tenant}` : `app-${owner.product}`;
}

export interface SearchRoleProps {
  /** The search service (`services.opensearch.<name>`). */
  readonly serviceName: string;
  /**
   * The domain's endpoint (from its connection description; may be a reference), or the naming scope of the
   * cluster's owner to look the description up by name.
   */
  readonly host: string | { readonly environmentNaming: Naming };
  readonly account: AccountScope;
  /** Name of the role in the security plugin (searchRoleName). */
  readonly roleName: string;
  readonly definition: SearchRoleDefinition;
  /** Names of the IAM roles (of this account) mapped to the role as backend roles. */
  readonly backendRoles: readonly string[];
  /** Subnets of the data tier (the domain's endpoints). */
  readonly dataTierCidrs: readonly string[];
  /** A shared tenant's role: labels the Job with the tenant. @default none */
  readonly tenant?: string;
  /** What the Job waits for (constructs/search-security `ready`, in the same stack). @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** The Job's script: credentials from the Pod Identity agent, then two signed PUTs (no `$(`, no `$$`, no `${`). */
export const SEARCH_ROLE_SCRIPT = [
  "set -eu",
  'token=`cat "$AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"`',
  'creds=`curl -sSf --retry 5 -H "Authorization: $token" "$AWS_CONTAINER_CREDENTIALS_FULL_URI"`',
  'field() { printf "%s" "$creds" | sed -n "s/.*\\"$1\\" *: *\\"\\([^\\"]*\\)\\".*/\\1/p"; }',
  "key=`field AccessKeyId`",
  "secret=`field SecretAccessKey`",
  "session=`field Token`",
  'put() { curl -sS --fail-with-body --retry 5 --retry-all-errors --aws-sigv4 "aws:amz:$AWS_REGION:es" --user "$key:$secret" -H "x-amz-security-token: $session" -H "Content-Type: application/json" -X PUT "https://$SEARCH_HOST/_plugins/_security/api/$1" --data-binary "$2"; echo; }',
  'put "roles/$ROLE_NAME" "$ROLE_JSON"',
  'put "rolesmapping/$ROLE_NAME" "$MAPPING_JSON"',
].join("\n");

export class SearchRole extends Construct {
  readonly job: JobV1;
  /** ARNs of the IAM roles the role is mapped to. */
  readonly backendRoleArns: readonly string[];

  constructor(scope: Construct, id: string, props: SearchRoleProps) {
    super(scope, id);
    const problems: string[] = [];
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(props.roleName)) problems.push(`role name "${props.roleName}" must be lowercase letters, digits and '-'`);
    if (props.backendRoles.length === 0) problems.push("no backend role: the role would admit nobody");
    if (props.dataTierCidrs.length === 0) problems.push("dataTierCidrs is empty: the Job could not reach the domain");
    const patterns = props.definition.index_permissions.flatMap((permission) => permission.index_patterns);
    if (patterns.some((pattern) => pattern === "*" || pattern.startsWith("*") || pattern.startsWith("."))) problems.push(`index patterns ${JSON.stringify(patterns)} reach beyond the writer's own indices`);
    if (problems.length > 0) throw new Error(`SearchRole ${id} is invalid:\n  - ${problems.join("\n  - ")}`);

    this.backendRoleArns = [...new Set(props.backendRoles)].sort().map((name) => roleArn(props.account, name));
    const host =
      typeof props.host === "string"
        ? props.host
        : publishedConnection(this, "connection", props.host.environmentNaming, props.serviceName)("host");
    const roleJson = JSON.stringify(props.definition);
    const mappingJson = JSON.stringify({ backend_roles: this.backendRoleArns });
    const digest = createHash("sha256").update(JSON.stringify([SEARCH_ROLE_SCRIPT, props.serviceName, props.roleName, roleJson, mappingJson])).digest("hex").slice(0, 8);
    const selector = { "app.kubernetes.io/name": validateName("k8s-name", `search-role-${props.roleName}`) };
    const labels = { ...selector, [MANAGED_BY_LABEL]: "terraform", ...(props.tenant ? { "platform.example.com/tenant": props.tenant } : {}) };

    const policy = new NetworkPolicyV1(this, "network-policy", {
      metadata: { name: validateName("k8s-name", `search-role-${props.roleName}`), namespace: SEARCH_SECURITY_NAMESPACE, labels },
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ["Ingress", "Egress"],
        egress: [
          { to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT.cidr } }], ports: [{ protocol: "TCP", port: String(POD_IDENTITY_AGENT.port) }] },
          { to: props.dataTierCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: String(HTTPS_PORT) }] },
        ],
      },
      ...(props.dependsOn ? { dependsOn: [...props.dependsOn] } : {}),
    });
    this.job = new JobV1(this, "job", {
      metadata: { name: validateName("k8s-name", `search-role-${props.roleName}-${digest}`), namespace: SEARCH_SECURITY_NAMESPACE, labels },
      spec: {
        backoffLimit: SEARCH_JOB_BACKOFF_LIMIT,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: "Never",
            serviceAccountName: searchAdminServiceAccount(props.serviceName),
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: String(SEARCH_JOB_UID), runAsGroup: String(SEARCH_JOB_UID), seccompProfile: { type: "RuntimeDefault" } },
            container: [
              {
                name: "apply",
                image: SEARCH_JOB_IMAGE,
                command: ["/bin/sh", "-c", SEARCH_ROLE_SCRIPT],
                env: [
                  { name: "AWS_REGION", value: props.account.region },
                  { name: "SEARCH_HOST", value: host },
                  { name: "ROLE_NAME", value: props.roleName },
                  { name: "ROLE_JSON", value: roleJson },
                  { name: "MAPPING_JSON", value: mappingJson },
                ],
                resources: { requests: { ...SEARCH_JOB_RESOURCES.requests }, limits: { ...SEARCH_JOB_RESOURCES.limits } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
              },
            ],
          },
        },
      },
      waitForCompletion: true,
      timeouts: { create: SEARCH_JOB_TIMEOUT, update: SEARCH_JOB_TIMEOUT },
      dependsOn: [policy, ...(props.dependsOn ?? [])],
    });
    if (props.tenant !== undefined) {
      acceptPolicyFinding(
        this.job,
        "K8S-NETPOL",
        "a shared tenant's OpenSearch security Job runs in the platform's search-security namespace, whose default-deny and DNS policies live in the environment's platform stack (constructs/search-security); the tenant stack adds the Job's own policy (the Pod Identity agent and the data tier on 443 only)",
      );
    }
  }
}
