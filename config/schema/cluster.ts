/**
 * `cluster` section of an environment file: the EKS cluster of `<env>-infra` — Kubernetes version, API
 * endpoint exposure, access entries, pinned managed add-on versions and the managed node pools.
 */
import { z } from "zod";
import { accessConflicts, permissionSetProblem, roleArnProblem } from "../../constructs/cluster/access-rules";
import { AMI_TYPES, instanceTypeProblems } from "../../constructs/cluster/instance-families";
import { EKS_ADDON_COMPONENTS, versionProblem } from "../../constructs/core/versions";
import { supportDate } from "../runtime-options";
import { dnsLabel, duplicatesOf, ipv4Cidr, uniqueList } from "./primitives";

/** EKS minor version, e.g. "1.35". */
export const KUBERNETES_VERSION = /^1\.\d{2}$/;
/** EKS-optimised AMI release of managed node groups: `<kubernetes patch version>-<build date>`. */
export const NODE_IMAGE_RELEASE = /^(1\.\d{2})\.\d+-(\d{8})$/;
/** Version of an EKS managed add-on, e.g. "v1.21.1-eksbuild.8". */
export const ADDON_VERSION = /^v\d+\.\d+\.\d+-eksbuild\.\d+$/;

export const SUPPORT_TYPES = ["STANDARD", "EXTENDED"] as const;
export const CAPACITY_TYPES = ["ON_DEMAND", "SPOT"] as const;
export const TAINT_EFFECTS = ["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"] as const;

/** Kubernetes label / taint key: optional DNS prefix, then a name of at most 63 characters. */
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

const labelKey = z.string().regex(LABEL_KEY, { error: "expected a Kubernetes label key such as workload-class or example.com/tier" });
const labelValue = z.string().regex(LABEL_VALUE, { error: "expected a Kubernetes label value: at most 63 of A-Z a-z 0-9 - _ ." });

const roleArn = z.string({ error: "expected an IAM role ARN" }).superRefine((value, ctx) => {
  const problem = roleArnProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
});

const permissionSet = z.string({ error: "expected an IAM Identity Center permission set name" }).superRefine((value, ctx) => {
  const problem = permissionSetProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
});

const addonVersion = z.string({ error: "expected an EKS add-on version such as v1.21.1-eksbuild.8" }).regex(ADDON_VERSION, {
  error: "expected an EKS add-on version such as v1.21.1-eksbuild.8 (aws eks describe-addon-versions lists them)",
});

export const NodePoolSchema = z
  .strictObject({
    /** Pool name; part of the node group and launch template names, and the id of its resources. */
    name: dnsLabel(20, "a node pool name"),
    /** Instance types, all of one architecture matching `amiType`. The first is preferred. */
    instanceTypes: uniqueList(z.string(), "instance types").min(1, { error: "at least one instance type is required" }),
    /** AL2023 image type; must match the architecture of every instance type (Graviton: AL2023_ARM_64_STANDARD). */
    amiType: z.enum(AMI_TYPES, { error: `expected one of ${AMI_TYPES.join(", ")}` }),
    /** ON_DEMAND or SPOT capacity. */
    capacityType: z.enum(CAPACITY_TYPES, { error: `expected one of ${CAPACITY_TYPES.join(", ")}` }),
    minSize: z.int().min(0).max(1000),
    desiredSize: z.int().min(0).max(1000),
    maxSize: z.int().min(1).max(1000),
    /** Root volume size (gp3, encrypted with the cluster key). */
    diskSizeGiB: z.int().min(20).max(16384),
    /** Kubernetes labels of the pool's nodes. */
    labels: z.record(labelKey, labelValue),
    /** Kubernetes taints of the pool's nodes. */
    taints: z.array(
      z.strictObject({
        key: labelKey,
        value: labelValue.optional(),
        effect: z.enum(TAINT_EFFECTS, { error: `expected one of ${TAINT_EFFECTS.join(", ")}` }),
      }),
    ),
    /** Share of nodes replaced at once during a node group update. */
    maxUnavailablePercentage: z.int().min(1).max(100),
    /** EKS node auto repair: unhealthy nodes are replaced automatically. */
    autoRepair: z.boolean(),
  })
  .superRefine((pool, ctx) => {
    for (const problem of instanceTypeProblems(pool.instanceTypes, pool.amiType)) {
      ctx.addIssue({ code: "custom", path: ["instanceTypes", problem.index], message: problem.message, input: pool.instanceTypes[problem.index] });
    }
    if (pool.minSize > pool.maxSize) {
      ctx.addIssue({ code: "custom", path: ["minSize"], message: `minSize ${pool.minSize} is greater than maxSize ${pool.maxSize}`, input: pool.minSize });
    }
    if (pool.desiredSize < pool.minSize || pool.desiredSize > pool.maxSize) {
      ctx.addIssue({
        code: "custom",
        path: ["desiredSize"],
        message: `desiredSize ${pool.desiredSize} must lie between minSize ${pool.minSize} and maxSize ${pool.maxSize}`,
        input: pool.desiredSize,
      });
    }
  });

export const ClusterSchema = z
  .strictObject({
    /** Kubernetes minor version, pinned (choose one in EKS standard support). */
    kubernetesVersion: z.string({ error: "expected a quoted Kubernetes minor version such as \"1.35\"" }).regex(KUBERNETES_VERSION, {
      error: "expected a quoted Kubernetes minor version such as \"1.35\"",
    }),
    /**
     * EKS-optimised AL2023 AMI release of every node (managed node groups and Karpenter), pinned so nodes change
     * only when this value does: `<kubernetes patch>-<build date>`, e.g. "1.35.4-20260512".
     */
    nodeImageRelease: z.string().regex(NODE_IMAGE_RELEASE, {
      error: "expected an EKS AMI release such as \"1.35.4-20260512\" (<kubernetes patch version>-<YYYYMMDD>)",
    }),
    endpoint: z.strictObject({
      /** Expose the API endpoint publicly as well as privately. Never allowed in the production profile. */
      publicAccess: z.boolean(),
      /** CIDRs allowed to reach the public endpoint; required when publicAccess is true; 0.0.0.0/0 is refused. */
      publicAccessCidrs: uniqueList(ipv4Cidr(), "CIDRs"),
    }),
    /** EKS upgrade policy: EXTENDED keeps a version past standard support (paid) instead of a forced upgrade. */
    supportType: z.enum(SUPPORT_TYPES, { error: `expected one of ${SUPPORT_TYPES.join(", ")}` }),
    access: z
      .strictObject({
        /**
         * Roles granted cluster admin (AmazonEKSClusterAdminPolicy), by ARN with its path. The CI deploy role of the
         * environment is always added; its plan role always gets read-only access.
         */
        adminRoleArns: uniqueList(roleArn, "role ARNs"),
        /** Roles granted read-only access (AmazonEKSViewPolicy), by ARN with its path. */
        viewerRoleArns: uniqueList(roleArn, "role ARNs"),
        /**
         * IAM Identity Center permission sets (by name, e.g. PlatformAdmin) whose role in the cluster's account gets
         * cluster admin. The plan finds the role (AWSReservedSSO_<name>_<hash>) and fails clearly when the permission
         * set is not assigned in that account.
         */
        adminPermissionSets: uniqueList(permissionSet, "permission sets"),
        /** IAM Identity Center permission sets whose role in the cluster's account gets read-only access. */
        viewerPermissionSets: uniqueList(permissionSet, "permission sets"),
      })
      .superRefine((access, ctx) => {
        for (const problem of accessConflicts(access)) ctx.addIssue({ code: "custom", path: [...problem.path], message: problem.message, input: problem.value });
      }),
    /** Enforce Kubernetes NetworkPolicies with the VPC CNI network policy agent. */
    networkPolicy: z.boolean(),
    /**
     * Interactive access to nodes. Nodes never have an SSH key or a bastion; with `sessionManager: true` their role
     * gets AmazonSSMManagedInstanceCore, so `aws ssm start-session --target <instance-id>` reaches them (IAM decides
     * who may; sessions are logged by CloudTrail). Without NAT the VPC needs the ssm, ssmmessages and ec2messages
     * interface endpoints.
     */
    nodeAccess: z.strictObject({ sessionManager: z.boolean() }),
    /** Pinned versions of the EKS managed add-ons. */
    managedAddons: z.strictObject({
      vpcCni: addonVersion,
      coreDns: addonVersion,
      kubeProxy: addonVersion,
      ebsCsiDriver: addonVersion,
      podIdentityAgent: addonVersion,
    }),
    /** Managed node groups. Pools are identified by name: renaming one replaces its nodes. */
    nodePools: z.array(NodePoolSchema).min(1, { error: "at least one node pool is required (system add-ons run on it)" }),
  })
  .superRefine((cluster, ctx) => {
    const { publicAccess, publicAccessCidrs } = cluster.endpoint;
    if (publicAccess && publicAccessCidrs.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["endpoint", "publicAccessCidrs"],
        message: "publicAccess needs the CIDRs allowed to reach the endpoint; an empty list would open it to the internet",
        input: publicAccessCidrs,
      });
    }
    if (!publicAccess && publicAccessCidrs.length > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["endpoint", "publicAccessCidrs"],
        message: "publicAccessCidrs is set but publicAccess is false; remove the CIDRs or enable publicAccess",
        input: publicAccessCidrs,
      });
    }
    publicAccessCidrs.forEach((cidr, index) => {
      if (cidr.endsWith("/0")) {
        ctx.addIssue({
          code: "custom",
          path: ["endpoint", "publicAccessCidrs", index],
          message: "the whole internet may not reach the Kubernetes API; list the networks that need it",
          input: cidr,
        });
      }
    });
    const release = NODE_IMAGE_RELEASE.exec(cluster.nodeImageRelease);
    if (release && release[1] !== cluster.kubernetesVersion) {
      ctx.addIssue({
        code: "custom",
        path: ["nodeImageRelease"],
        message: `image release ${cluster.nodeImageRelease} is for Kubernetes ${release[1]} but kubernetesVersion is ${cluster.kubernetesVersion}`,
        input: cluster.nodeImageRelease,
      });
    }
    for (const issue of clusterVersionIssues(cluster, supportDate())) ctx.addIssue({ code: "custom", ...issue });
    const dupes = duplicatesOf(cluster.nodePools.map((pool) => pool.name));
    if (dupes.length > 0) {
      ctx.addIssue({ code: "custom", path: ["nodePools"], message: `duplicate node pool names: ${dupes.join(", ")}; each may appear once`, input: dupes });
    }
  });

/**
 * The cluster's pinned versions against the version catalog (constructs/core/versions.ts): the Kubernetes version, and
 * the node AMI release and add-on builds made for it, each listed and — on `asOf` — not past the end of standard
 * support (a cluster with `supportType: EXTENDED` may stay on a Kubernetes version in extended support).
 */
export function clusterVersionIssues(
  cluster: Pick<z.output<typeof ClusterSchema>, "kubernetesVersion" | "nodeImageRelease" | "managedAddons" | "supportType">,
  asOf: string | undefined,
): { path: (string | number)[]; message: string; input: string }[] {
  const issues: { path: (string | number)[]; message: string; input: string }[] = [];
  const add = (path: (string | number)[], input: string, problem: string | undefined) => {
    if (problem) issues.push({ path, message: problem, input });
  };
  const extendedSupport = cluster.supportType === "EXTENDED";
  if (KUBERNETES_VERSION.test(cluster.kubernetesVersion)) {
    add(["kubernetesVersion"], cluster.kubernetesVersion, versionProblem("kubernetes", cluster.kubernetesVersion, asOf, { extendedSupport }));
  }
  const kubernetes = { kubernetes: cluster.kubernetesVersion, extendedSupport };
  if (NODE_IMAGE_RELEASE.exec(cluster.nodeImageRelease)?.[1] === cluster.kubernetesVersion) {
    add(["nodeImageRelease"], cluster.nodeImageRelease, versionProblem("eks-node-ami", cluster.nodeImageRelease, asOf, kubernetes));
  }
  for (const [key, component] of Object.entries(EKS_ADDON_COMPONENTS)) {
    const version = cluster.managedAddons[key as keyof typeof EKS_ADDON_COMPONENTS];
    if (ADDON_VERSION.test(version)) add(["managedAddons", key], version, versionProblem(component, version, asOf, kubernetes));
  }
  return issues;
}

export type ClusterConfig = z.output<typeof ClusterSchema>;
export type NodePoolConfig = z.output<typeof NodePoolSchema>;

/** Smallest node pool the production profile accepts: one node can always be drained or lost. */
export const PRODUCTION_MIN_POOL_SIZE = 2;

export interface ProfileIssue {
  readonly path: (string | number)[];
  readonly message: string;
  readonly input: unknown;
}

/** Rules the production profile adds to the cluster: a private API endpoint, and pools that survive a node loss. */
export function clusterProfileIssues(profile: string, cluster: ClusterConfig): ProfileIssue[] {
  if (profile !== "production") return [];
  const issues: ProfileIssue[] = [];
  if (cluster.endpoint.publicAccess) {
    issues.push({
      path: ["endpoint", "publicAccess"],
      message: "the production profile keeps the Kubernetes API private; reach it through the VPC (VPN, peering, CI runners in the VPC)",
      input: true,
    });
  }
  cluster.nodePools.forEach((pool, index) => {
    if (pool.minSize < PRODUCTION_MIN_POOL_SIZE) {
      issues.push({
        path: ["nodePools", index, "minSize"],
        message: `the production profile needs at least ${PRODUCTION_MIN_POOL_SIZE} nodes per pool`,
        input: pool.minSize,
      });
    }
  });
  return issues;
}
