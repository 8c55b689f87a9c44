import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { describe, expect, it } from "vitest";
import { Workload, ingressGroupSettings, preRolloutJobName, type WorkloadProps } from "../../../constructs/workload";
import { WorkloadSchema } from "../../../config/schema/products";
import { resourceList, synthConstruct, TEST_ACCOUNT, type Synthesized } from "../../support/synth";
import { DIGEST, naming, policyOf, WEB, workloadSpec } from "./fixtures";
import type { Json } from "./fixtures";

const production = policyOf("production");
const WAF = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/acme-test/0000";
const CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/0000";

function props(overrides: Partial<WorkloadProps> = {}): WorkloadProps {
  const policy = overrides.policy ?? production;
  return {
    name: "web",
    namespace: "shop",
    product: "shop",
    spec: workloadSpec(WEB),
    policy,
    naming,
    account: TEST_ACCOUNT,
    clusterName: naming.clusterName,
    network: { loadBalancerCidrs: ["10.0.0.0/24", "10.0.1.0/24"], dataTier: { cidrs: ["10.0.8.0/24"], ports: ["5432"] } },
    ingress: { group: ingressGroupSettings(naming, policy.ingress, WAF), hosts: ["app.shop.example.com"], certificateArns: [CERT] },
    ...overrides,
  };
}

function synth(overrides: Partial<WorkloadProps> = {}) {
  return synthConstruct((scope) => new Workload(scope, "workload", props(overrides)));
}

const one = (json: Synthesized, type: string): Json => {
  const list = resourceList(json, type);
  expect(list, type).toHaveLength(1);
  return list[0] as Json;
};

describe("web workload (production policy)", () => {
  const { json } = synth();
  const deployment = one(json, "kubernetes_deployment_v1");
  const pod = deployment.spec.template.spec;
  const [container] = pod.container;

  it("runs non-root with a read-only root filesystem, no capabilities and RuntimeDefault seccomp", () => {
    expect(pod.security_context).toEqual({ run_as_non_root: true, run_as_user: "10001", run_as_group: "10001", fs_group: "10001", seccomp_profile: { type: "RuntimeDefault" } });
    expect(container.security_context).toMatchObject({
      run_as_non_root: true,
      privileged: false,
      allow_privilege_escalation: false,
      read_only_root_filesystem: true,
      capabilities: { drop: ["ALL"] },
      seccomp_profile: { type: "RuntimeDefault" },
    });
    expect(container.volume_mount).toEqual([{ name: "tmp", mount_path: "/tmp" }]);
    expect(pod.volume).toEqual([{ name: "tmp", empty_dir: { size_limit: "256Mi" } }]);
  });

  it("mounts no service-account token and injects no service links when the workload needs no AWS access", () => {
    expect(pod.automount_service_account_token).toBe(false);
    expect(pod.enable_service_links).toBe(false);
    expect(one(json, "kubernetes_service_account_v1")).toMatchObject({ automount_service_account_token: false, metadata: { name: "web", namespace: "shop" } });
    expect(resourceList(json, "aws_iam_role")).toHaveLength(0);
  });

  it("sets requests and limits and derives liveness, readiness and startup probes from the health path", () => {
    expect(container.resources).toEqual({ requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "512Mi" } });
    const http = { path: "/healthz", port: "http", scheme: "HTTP" };
    expect(container.liveness_probe).toEqual({ http_get: http, initial_delay_seconds: 0, period_seconds: 10, timeout_seconds: 3, failure_threshold: 3 });
    expect(container.readiness_probe).toMatchObject({ http_get: http });
    expect(container.startup_probe).toMatchObject({ http_get: http, failure_threshold: 30 });
    expect(container.image).toBe(`registry.example.com/shop/web:1.2.3@${DIGEST}`);
  });

  it("starts at the HPA minimum, then leaves replicas to an autoscaling/v2 HPA with CPU and memory targets and scale-down stabilization", () => {
    // Unset, Kubernetes would start the Deployment at 1 replica under an HPA whose minimum is 2.
    expect(deployment.spec.replicas).toBe("2");
    expect(deployment.lifecycle).toEqual({ ignore_changes: ["spec[0].replicas"] });
    const hpa = one(json, "kubernetes_horizontal_pod_autoscaler_v2");
    expect(hpa.spec).toMatchObject({
      min_replicas: 2,
      max_replicas: 5,
      scale_target_ref: { api_version: "apps/v1", kind: "Deployment", name: "web" },
      metric: [
        { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", average_utilization: 70 } } },
        { type: "Resource", resource: { name: "memory", target: { type: "Utilization", average_utilization: 80 } } },
      ],
      behavior: { scale_down: [{ stabilization_window_seconds: 300 }] },
    });
  });

  it("has a PodDisruptionBudget, zone and host spreading and a surge-only rolling update", () => {
    expect(one(json, "kubernetes_pod_disruption_budget_v1").spec).toEqual({
      max_unavailable: "1",
      selector: { match_labels: { "app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "shop" } },
    });
    expect(pod.topology_spread_constraint).toEqual([
      expect.objectContaining({ topology_key: "topology.kubernetes.io/zone", when_unsatisfiable: "DoNotSchedule", max_skew: 1, match_label_keys: ["pod-template-hash"] }),
      expect.objectContaining({ topology_key: "kubernetes.io/hostname", when_unsatisfiable: "ScheduleAnyway" }),
    ]);
    expect(deployment.spec.strategy).toEqual({ type: "RollingUpdate", rolling_update: { max_surge: "25%", max_unavailable: "0" } });
  });

  it("exposes the http port on Service port 80 and routes the hosts through the environment's ALB group over HTTPS", () => {
    expect(one(json, "kubernetes_service_v1").spec).toMatchObject({ type: "ClusterIP", port: [{ name: "http", port: 80, target_port: "http", protocol: "TCP" }] });
    const ingress = one(json, "kubernetes_ingress_v1");
    expect(ingress.spec.ingress_class_name).toBe("alb");
    expect(ingress.spec.rule).toEqual([
      { host: "app.shop.example.com", http: { path: [{ path: "/", path_type: "Prefix", backend: { service: { name: "web", port: { name: "http" } } } }] } },
    ]);
    expect(ingress.metadata.annotations).toMatchObject({
      "alb.ingress.kubernetes.io/group.name": "acme-test-apps",
      "alb.ingress.kubernetes.io/load-balancer-name": "acme-test-apps",
      "alb.ingress.kubernetes.io/scheme": "internet-facing",
      "alb.ingress.kubernetes.io/target-type": "ip",
      "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP":80},{"HTTPS":443}]',
      "alb.ingress.kubernetes.io/ssl-redirect": "443",
      "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
      "alb.ingress.kubernetes.io/certificate-arn": CERT,
      "alb.ingress.kubernetes.io/wafv2-acl-arn": WAF,
      "alb.ingress.kubernetes.io/healthcheck-path": "/healthz",
      "alb.ingress.kubernetes.io/target-group-attributes": "deregistration_delay.timeout_seconds=30",
    });
    expect(ingress.metadata.annotations["alb.ingress.kubernetes.io/load-balancer-attributes"]).toBe(
      "idle_timeout.timeout_seconds=60,routing.http.drop_invalid_header_fields.enabled=true,routing.http.desync_mitigation_mode=defensive,deletion_protection.enabled=true",
    );
  });

  it("admits the load balancer to the web port and allows egress to the data tier only", () => {
    const policy = one(json, "kubernetes_network_policy_v1");
    expect(policy.spec.policy_types).toEqual(["Ingress", "Egress"]);
    expect(policy.spec.ingress).toEqual([{ from: [{ ip_block: { cidr: "10.0.0.0/24" } }, { ip_block: { cidr: "10.0.1.0/24" } }], ports: [{ port: "8080", protocol: "TCP" }] }]);
    expect(policy.spec.egress).toEqual([{ to: [{ ip_block: { cidr: "10.0.8.0/24" } }], ports: [{ port: "5432", protocol: "TCP" }] }]);
  });
});

describe("production vs development policy", () => {
  const dev = policyOf("development");
  const { json } = synth({ policy: dev });
  const deployment = one(json, "kubernetes_deployment_v1");

  it("spreads zones best-effort, tolerates unavailable replicas during rollouts and scales down sooner in development", () => {
    expect(deployment.spec.template.spec.topology_spread_constraint[0].when_unsatisfiable).toBe("ScheduleAnyway");
    expect(deployment.spec.strategy.rolling_update).toEqual({ max_surge: "25%", max_unavailable: "25%" });
    expect(one(json, "kubernetes_horizontal_pod_autoscaler_v2").spec.behavior.scale_down[0].stabilization_window_seconds).toBe(60);
    const annotations = one(json, "kubernetes_ingress_v1").metadata.annotations;
    expect(annotations["alb.ingress.kubernetes.io/load-balancer-attributes"]).toContain("deletion_protection.enabled=false");
  });

  it("sends access logs to a bucket only when the environment has one", () => {
    const withLogs = ingressGroupSettings(naming, dev.ingress, undefined, "acme-test-access-logs");
    const annotations = one(synth({ policy: dev, ingress: { group: withLogs, hosts: ["app.shop.example.com"], certificateArns: [CERT] } }).json, "kubernetes_ingress_v1").metadata.annotations;
    expect(annotations["alb.ingress.kubernetes.io/load-balancer-attributes"]).toContain(
      "access_logs.s3.enabled=true,access_logs.s3.bucket=acme-test-access-logs,access_logs.s3.prefix=alb/acme-test-apps",
    );
    expect(annotations["alb.ingress.kubernetes.io/wafv2-acl-arn"]).toBeUndefined();
    expect(one(json, "kubernetes_ingress_v1").metadata.annotations["alb.ingress.kubernetes.io/load-balancer-attributes"]).not.toContain("access_logs");
  });

  it("accepts a tag without digest in development but not in production", () => {
    const tagged = workloadSpec({ ...WEB, image: "registry.example.com/shop/web:1.2.3" });
    expect(() => synth({ policy: dev, spec: tagged })).not.toThrow();
    expect(() => synth({ spec: tagged })).toThrow(/requires images pinned by digest/);
  });
});

describe("worker", () => {
  const workerSpec = workloadSpec({
    kind: "worker",
    image: `registry.example.com/shop/worker:1.0.0@${DIGEST}`,
    replicas: 3,
    probes: { liveness: { exec: { command: ["/bin/check", "live"] } }, readiness: { exec: { command: ["/bin/check", "ready"] }, periodSeconds: 20 } },
  });
  const { json } = synth({ name: "worker", spec: workerSpec, network: { loadBalancerCidrs: ["10.0.0.0/24"] } });
  const deployment = one(json, "kubernetes_deployment_v1");

  it("is a Deployment with a fixed replica count, exec probes, a PDB and no Service, Ingress or HPA", () => {
    expect(deployment.spec.replicas).toBe("3");
    expect(deployment.lifecycle).toBeUndefined();
    const [container] = deployment.spec.template.spec.container;
    expect(container.liveness_probe).toMatchObject({ exec: { command: ["/bin/check", "live"] } });
    expect(container.readiness_probe).toMatchObject({ exec: { command: ["/bin/check", "ready"] }, period_seconds: 20 });
    expect(container.startup_probe).toBeUndefined();
    expect(resourceList(json, "kubernetes_pod_disruption_budget_v1")).toHaveLength(1);
    for (const type of ["kubernetes_service_v1", "kubernetes_ingress_v1", "kubernetes_horizontal_pod_autoscaler_v2"]) expect(resourceList(json, type), type).toHaveLength(0);
  });

  it("admits nothing and allows no egress beyond the namespace's DNS policy", () => {
    const { spec } = one(json, "kubernetes_network_policy_v1");
    expect(spec.policy_types).toEqual(["Ingress", "Egress"]);
    expect(spec.ingress ?? []).toEqual([]);
    expect(spec.egress ?? []).toEqual([]);
  });

  it("gets no PodDisruptionBudget when it runs a single replica", () => {
    const single = synth({ name: "worker", spec: { ...workerSpec, replicas: 1 }, policy: policyOf("development"), network: { loadBalancerCidrs: [] } });
    expect(resourceList(single.json, "kubernetes_pod_disruption_budget_v1")).toHaveLength(0);
  });
});

describe("cron job", () => {
  const spec = workloadSpec({ kind: "cron", image: `registry.example.com/shop/worker:1.0.0@${DIGEST}`, schedule: "0 3 * * *", timeZone: "Europe/Paris", backoffLimit: 4 });
  const { json } = synth({ name: "nightly", spec, network: { loadBalancerCidrs: [] } });
  const cron = one(json, "kubernetes_cron_job_v1");

  it("runs on its schedule without overlapping runs, with bounded history and a start deadline", () => {
    expect(cron.spec).toMatchObject({
      schedule: "0 3 * * *",
      timezone: "Europe/Paris",
      concurrency_policy: "Forbid",
      starting_deadline_seconds: 300,
      successful_jobs_history_limit: 3,
      failed_jobs_history_limit: 3,
    });
    expect(cron.spec.job_template.spec).toMatchObject({ backoff_limit: 4, active_deadline_seconds: 1800 });
  });

  it("uses the same hardened pod, restarting never and without probes", () => {
    const pod = cron.spec.job_template.spec.template.spec;
    expect(pod.restart_policy).toBe("Never");
    expect(pod.security_context.run_as_non_root).toBe(true);
    expect(pod.container[0].security_context.read_only_root_filesystem).toBe(true);
    expect(pod.container[0].liveness_probe).toBeUndefined();
    expect(pod.topology_spread_constraint).toBeUndefined();
  });
});

describe("pre-rollout job", () => {
  const spec = workloadSpec({ kind: "pre-rollout", image: `registry.example.com/shop/api:2.0.0@${DIGEST}`, command: ["migrate", "up"] });
  const { json } = synth({ name: "migrate", spec, network: { loadBalancerCidrs: [] } });
  const job = one(json, "kubernetes_job_v1");

  it("is a Job Terraform waits for, named after what it runs", () => {
    expect(job.metadata.name).toBe(preRolloutJobName("migrate", spec));
    expect(job.metadata.name).toMatch(/^migrate-[0-9a-f]{8}$/);
    expect(job.wait_for_completion).toBe(true);
    expect(job.timeouts).toEqual({ create: "1920s", update: "1920s" });
    expect(job.spec.template.spec.restart_policy).toBe("Never");
    expect(job.spec.template.spec.container[0].command).toEqual(["migrate", "up"]);
  });

  it("gets a new name (so it runs again) when the image changes, and keeps it otherwise", () => {
    const next = { ...spec, image: `registry.example.com/shop/api:2.1.0@${DIGEST}` };
    expect(preRolloutJobName("migrate", next)).not.toBe(job.metadata.name);
    expect(preRolloutJobName("migrate", { ...spec })).toBe(job.metadata.name);
    expect(preRolloutJobName("migrate", { ...spec, command: ["migrate", "down"] })).not.toBe(job.metadata.name);
  });
});

describe("a workload with AWS permissions", () => {
  const statements = [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-test-uploads/*"] }];
  const { json } = synth({ name: "worker", spec: workloadSpec({ kind: "worker", image: `r.example.com/w:1@${DIGEST}`, replicas: 2, probes: { liveness: { exec: { command: ["x"] } }, readiness: { exec: { command: ["x"] } } } }), awsStatements: statements, network: { loadBalancerCidrs: [] } });

  it("gets an IAM role bound to exactly its service account with EKS Pod Identity, and a mounted token", () => {
    expect(one(json, "aws_iam_role").name).toBe("acme-test-shop-worker");
    expect(one(json, "aws_eks_pod_identity_association")).toMatchObject({ namespace: "shop", service_account: "worker", cluster_name: "acme-test-eks" });
    expect(one(json, "kubernetes_service_account_v1").automount_service_account_token).toBe(true);
    expect(one(json, "kubernetes_deployment_v1").spec.template.spec.automount_service_account_token).toBe(true);
  });

  it("may reach the Pod Identity agent and AWS APIs over HTTPS", () => {
    expect(one(json, "kubernetes_network_policy_v1").spec.egress).toEqual([
      { to: [{ ip_block: { cidr: "169.254.170.23/32" } }], ports: [{ port: "80", protocol: "TCP" }] },
      { ports: [{ port: "443", protocol: "TCP" }] },
    ]);
  });
});

describe("a workload in a namespace its stack creates", () => {
  const { json } = synthConstruct((scope) => {
    const namespace = new NamespaceV1(scope, "namespace", { metadata: { name: "shop" } });
    return new Workload(scope, "workload", props({ namespaceResource: namespace }));
  });

  it("makes every object depend on the namespace, so each is created after it and destroyed before it", () => {
    const types = ["kubernetes_service_account_v1", "kubernetes_deployment_v1", "kubernetes_service_v1", "kubernetes_ingress_v1", "kubernetes_horizontal_pod_autoscaler_v2", "kubernetes_pod_disruption_budget_v1", "kubernetes_network_policy_v1"];
    for (const type of types) {
      expect(one(json, type).depends_on, type).toContain("kubernetes_namespace_v1.namespace");
      expect(one(json, type).metadata.namespace, type).toBe("shop");
    }
  });
});

describe("workload validation", () => {
  it("rejects a namespace object that creates another namespace", () => {
    expect(() =>
      synthConstruct((scope) => new Workload(scope, "workload", props({ namespaceResource: new NamespaceV1(scope, "namespace", { metadata: { name: "other" } }) }))),
    ).toThrow(/namespaceResource creates namespace "other", not the workload's namespace "shop"/);
  });

  it("rejects an invalid spec with the rule that failed", () => {
    const spec = { ...workloadSpec({ kind: "worker", image: `r.example.com/w:1@${DIGEST}`, replicas: 2, probes: { liveness: { exec: { command: ["x"] } }, readiness: { exec: { command: ["x"] } } } }), ingress: { hosts: ["x"], paths: ["/"] } };
    expect(() => synth({ name: "worker", spec })).toThrow(/spec\.ingress: a worker has no Service, so it cannot have an ingress/);
  });

  it("rejects an unpinned image", () => {
    expect(() => synth({ spec: { ...workloadSpec(WEB), image: "registry.example.com/shop/web:latest" } })).toThrow(/the tag latest is not allowed/);
  });

  it("rejects an ingress without the environment's ALB group", () => {
    const { ingress: _ingress, ...rest } = props();
    expect(() => synthConstruct((scope) => new Workload(scope, "workload", rest))).toThrow(/spec\.ingress is set but no ingress group/);
  });

  it("rejects names that are not Kubernetes names", () => {
    expect(() => synth({ name: "Web_1" })).toThrow(/name: invalid k8s-name name "Web_1"/);
  });
});

describe("workload volumes", () => {
  const dev = policyOf("development");
  const defaults = one(synth().json, "kubernetes_deployment_v1").spec.template.spec;

  it("mounts only /tmp (a size-limited emptyDir) by default", () => {
    expect(defaults.volume).toEqual([{ name: "tmp", empty_dir: { size_limit: "256Mi" } }]);
    expect(defaults.container[0].volume_mount).toEqual([{ name: "tmp", mount_path: "/tmp" }]);
  });

  it("adds emptyDir (disk or memory), ephemeral gp3 and persistent volumes, the root filesystem staying read-only", () => {
    const worker = workloadSpec({
      kind: "worker",
      image: `registry.example.com/shop/worker:1.0.0@${DIGEST}`,
      replicas: 1,
      resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "1Gi" } },
      probes: { liveness: { exec: { command: ["/bin/check"] } }, readiness: { exec: { command: ["/bin/check"] } } },
      volumes: [
        { name: "scratch", mountPath: "/var/scratch", emptyDir: { sizeLimit: "2Gi" } },
        { name: "shm", mountPath: "/dev-shm", emptyDir: { sizeLimit: "128Mi", memory: true } },
        { name: "work", mountPath: "/work", ephemeral: { size: "50Gi" } },
        { name: "models", mountPath: "/var/cache/models", persistent: { size: "20Gi" } },
      ],
    });
    const { json } = synth({ name: "worker", spec: worker, policy: dev, network: { loadBalancerCidrs: [] }, protectVolumes: false });
    const deployment = one(json, "kubernetes_deployment_v1");
    const pod = deployment.spec.template.spec;
    expect(pod.volume).toEqual([
      { name: "tmp", empty_dir: { size_limit: "256Mi" } },
      { name: "scratch", empty_dir: { size_limit: "2Gi" } },
      { name: "shm", empty_dir: { size_limit: "128Mi", medium: "Memory" } },
      { name: "work", ephemeral: { volume_claim_template: { spec: { access_modes: ["ReadWriteOnce"], storage_class_name: "gp3-encrypted", resources: { requests: { storage: "50Gi" } } } } } },
      { name: "models", persistent_volume_claim: { claim_name: "worker-models" } },
    ]);
    expect(pod.container[0].volume_mount.map((mount: Json) => mount.mount_path)).toEqual(["/tmp", "/var/scratch", "/dev-shm", "/work", "/var/cache/models"]);
    expect(pod.container[0].security_context.read_only_root_filesystem).toBe(true);
    // The claim: gp3, one node, not waited for (the class binds when the first pod uses it), before the Deployment.
    const claim = one(json, "kubernetes_persistent_volume_claim_v1");
    expect(claim).toMatchObject({
      metadata: { name: "worker-models", namespace: "shop" },
      spec: { access_modes: ["ReadWriteOnce"], storage_class_name: "gp3-encrypted", resources: { requests: { storage: "20Gi" } } },
      wait_until_bound: false,
      lifecycle: { prevent_destroy: false },
    });
    expect(deployment.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^kubernetes_persistent_volume_claim_v1\.workload_volume-models_/)]));
    // A ReadWriteOnce volume is released by the old pod before the new one starts.
    expect(deployment.spec.strategy).toEqual({ type: "Recreate" });
  });

  it("protects a persistent claim from destruction by default (production state)", () => {
    const cron = workloadSpec({ kind: "cron", image: `registry.example.com/shop/worker:1.0.0@${DIGEST}`, schedule: "0 3 * * *", volumes: [{ name: "cache", mountPath: "/cache", persistent: { size: "10Gi" } }] });
    const claim = one(synth({ name: "nightly", spec: cron, network: { loadBalancerCidrs: [] } }).json, "kubernetes_persistent_volume_claim_v1");
    expect(claim.lifecycle).toEqual({ prevent_destroy: true });
  });
});

describe("workload volume validation", () => {
  const base = { kind: "worker", image: "registry.example.com/shop/worker:1.0.0", replicas: 1, probes: { liveness: { exec: { command: ["c"] } }, readiness: { exec: { command: ["c"] } } } };
  const issues = (volumes: unknown[], extra: Record<string, unknown> = {}) => {
    const parsed = WorkloadSchema.safeParse({ resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "512Mi" } }, ...base, ...extra, volumes });
    return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  };

  it("needs exactly one kind per volume", () => {
    expect(issues([{ name: "a", mountPath: "/a" }])).toEqual(["volumes.0: a volume needs exactly one of emptyDir, ephemeral or persistent; found none"]);
    expect(issues([{ name: "a", mountPath: "/a", emptyDir: { sizeLimit: "1Gi" }, ephemeral: { size: "1Gi" } }])).toEqual(["volumes.0: a volume needs exactly one of emptyDir, ephemeral or persistent; found emptyDir, ephemeral"]);
  });

  it("rejects /tmp, the tmp name, reserved and relative paths, duplicates", () => {
    expect(issues([{ name: "tmp", mountPath: "/tmp", emptyDir: { sizeLimit: "1Gi" } }])).toEqual([
      "volumes.0.name: tmp is the platform's /tmp volume; choose another name",
      "volumes.0.mountPath: /tmp is the platform's scratch volume; size it with tmpSizeLimit, or mount this volume elsewhere",
    ]);
    expect(issues([{ name: "a", mountPath: "/var/run/secrets/x", emptyDir: { sizeLimit: "1Gi" } }])[0]).toMatch(/^volumes\.0\.mountPath: a volume may not be mounted at or inside \/var\/run\/secrets/);
    expect(issues([{ name: "a", mountPath: "/etc", emptyDir: { sizeLimit: "1Gi" } }])[0]).toMatch(/inside \/etc/);
    expect(issues([{ name: "a", mountPath: "cache/", emptyDir: { sizeLimit: "1Gi" } }])[0]).toMatch(/^volumes\.0\.mountPath: expected an absolute path/);
    expect(issues([{ name: "a", mountPath: "/a/../b", emptyDir: { sizeLimit: "1Gi" } }])[0]).toMatch(/'\.' or '\.\.'/);
    expect(issues([{ name: "a", mountPath: "/a", emptyDir: { sizeLimit: "1Gi" } }, { name: "a", mountPath: "/a", emptyDir: { sizeLimit: "1Gi" } }])).toEqual([
      "volumes.1.name: volumes[0] is already named a; volume names are unique in a workload",
      "volumes.1.mountPath: volumes[0] is already mounted at /a",
    ]);
  });

  it("keeps the platform's RDS certificate authorities' volume name and path (and what covers it) free", () => {
    expect(issues([{ name: "platform-rds-ca", mountPath: "/certs", emptyDir: { sizeLimit: "1Gi" } }])).toEqual([
      "volumes.0.name: platform-rds-ca is the platform's volume of the RDS certificate authorities; choose another name",
    ]);
    for (const mountPath of ["/etc/platform/rds-ca", "/etc/platform", "/etc/platform/rds-ca/extra"]) {
      expect(issues([{ name: "a", mountPath, emptyDir: { sizeLimit: "1Gi" } }]), mountPath).toEqual([
        "volumes.0.mountPath: the platform mounts the RDS certificate authorities at /etc/platform/rds-ca (for PostgreSQL and DocumentDB clients); mount this volume elsewhere",
      ]);
    }
    expect(issues([{ name: "a", mountPath: "/etc/platform-data", emptyDir: { sizeLimit: "1Gi" } }])).toEqual([]);
  });

  it("rejects sizes outside what a gp3 volume holds", () => {
    expect(issues([{ name: "a", mountPath: "/a", ephemeral: { size: "512Mi" } }])[0]).toMatch(/^volumes\.0\.ephemeral\.size: expected a size such as 20Gi, from 1Gi to 16384Gi/);
    expect(issues([{ name: "a", mountPath: "/a", persistent: { size: "20Ti" } }])[0]).toMatch(/^volumes\.0\.persistent\.size: /);
  });

  it("rejects a memory-backed emptyDir as large as the memory limit", () => {
    expect(issues([{ name: "a", mountPath: "/a", emptyDir: { sizeLimit: "512Mi", memory: true } }])[0]).toMatch(/^volumes\.0\.emptyDir\.sizeLimit: a memory-backed emptyDir counts against the container's memory limit \(512Mi\)/);
  });

  it("rejects a persistent volume on a Deployment that can run more than one replica", () => {
    expect(issues([{ name: "a", mountPath: "/a", persistent: { size: "1Gi" } }], { replicas: 2 })[0]).toMatch(/^volumes\.0\.persistent: a persistent volume \(ReadWriteOnce\) is mounted by one pod, but this workload runs 2 replicas/);
    expect(issues([{ name: "a", mountPath: "/a", persistent: { size: "1Gi" } }], { replicas: undefined, autoscaling: { minReplicas: 1, maxReplicas: 3, cpuUtilization: 70 } })[0]).toMatch(/autoscaling runs up to 3/);
  });
});
