/**
 * EC2 instance families the cluster's node pools may use, with their CPU architecture, and the AL2023 EKS image
 * type of each architecture. A managed node group launched with an image of the wrong architecture never
 * joins the cluster (the instances boot and fail), so a mismatch is rejected before synthesis.
 *
 * Only general purpose, compute and memory optimised families are listed (the EKS AL2023 STANDARD images);
 * accelerated families need the NVIDIA/Neuron image types and are deliberately absent. Add a family here,
 * with its architecture, to allow it.
 */

export const ARCHITECTURES = ["arm64", "x86_64"] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

/** AL2023 EKS-optimised image type per architecture (`aws_eks_node_group.ami_type`). */
export const AMI_TYPE_BY_ARCHITECTURE = {
  arm64: "AL2023_ARM_64_STANDARD",
  x86_64: "AL2023_x86_64_STANDARD",
} as const satisfies Record<Architecture, string>;

export const AMI_TYPES = [AMI_TYPE_BY_ARCHITECTURE.arm64, AMI_TYPE_BY_ARCHITECTURE.x86_64] as const;
export type AmiType = (typeof AMI_TYPES)[number];

/** Kubernetes `kubernetes.io/arch` label value of an architecture (Karpenter requirements use it). */
export const KUBERNETES_ARCH = { arm64: "arm64", x86_64: "amd64" } as const satisfies Record<Architecture, string>;

const GRAVITON = [
  "m6g", "m6gd", "m7g", "m7gd", "m8g", "m8gd",
  "c6g", "c6gd", "c6gn", "c7g", "c7gd", "c7gn", "c8g", "c8gd",
  "r6g", "r6gd", "r7g", "r7gd", "r8g", "r8gd",
  "t4g", "x2gd", "i4g", "im4gn", "is4gen",
] as const;

const X86 = [
  "m5", "m5a", "m5d", "m5n", "m6a", "m6i", "m6id", "m6in", "m7a", "m7i", "m7i-flex", "m8a", "m8i",
  "c5", "c5a", "c5d", "c5n", "c6a", "c6i", "c6id", "c6in", "c7a", "c7i", "c7i-flex", "c8a", "c8i",
  "r5", "r5a", "r5d", "r5n", "r6a", "r6i", "r6id", "r6in", "r7a", "r7i", "r7iz", "r8a", "r8i",
  "t3", "t3a", "i4i", "x2idn", "x2iedn",
] as const;

/** Known instance families and their architecture. */
export const INSTANCE_FAMILIES: Readonly<Record<string, Architecture>> = Object.freeze({
  ...Object.fromEntries(GRAVITON.map((family) => [family, "arm64" as const])),
  ...Object.fromEntries(X86.map((family) => [family, "x86_64" as const])),
});

/** `m7g.xlarge` -> `m7g`; undefined when the name is not `<family>.<size>`. */
export function familyOf(instanceType: string): string | undefined {
  const match = /^([a-z][a-z0-9-]*)\.([a-z0-9-]+)$/.exec(instanceType);
  return match?.[1];
}

/** EC2 instance sizes: nano to 48xlarge and bare metal (metal, metal-24xl, ...). */
export const INSTANCE_SIZE = /^(nano|micro|small|medium|large|xlarge|([2-9]|[1-9][0-9])xlarge|metal(-[0-9]+xl)?)$/;

/** `m7g.xlarge` -> `xlarge`; undefined when the name is not `<family>.<size>`. */
export function sizeOf(instanceType: string): string | undefined {
  const match = /^([a-z][a-z0-9-]*)\.([a-z0-9-]+)$/.exec(instanceType);
  return match?.[2];
}

/** Architecture of an instance type, or undefined when its family is not in the table. */
export function architectureOf(instanceType: string): Architecture | undefined {
  const family = familyOf(instanceType);
  return family === undefined ? undefined : INSTANCE_FAMILIES[family];
}

/** The architecture an AMI type runs on. */
export function architectureOfAmiType(amiType: AmiType): Architecture {
  return amiType === AMI_TYPE_BY_ARCHITECTURE.arm64 ? "arm64" : "x86_64";
}

/**
 * Problems of one node pool's instance types against its image type: unknown families and architecture
 * mismatches. Each message names the instance type, what was found and what is allowed.
 */
export function instanceTypeProblems(instanceTypes: readonly string[], amiType: AmiType): { index: number; message: string }[] {
  const wanted = architectureOfAmiType(amiType);
  const problems: { index: number; message: string }[] = [];
  instanceTypes.forEach((instanceType, index) => {
    const family = familyOf(instanceType);
    if (family === undefined) {
      problems.push({ index, message: `"${instanceType}" is not an instance type; expected <family>.<size> such as m7g.large` });
      return;
    }
    const architecture = INSTANCE_FAMILIES[family];
    if (architecture === undefined) {
      problems.push({
        index,
        message: `unknown instance family "${family}" (${instanceType}); known families: ${Object.keys(INSTANCE_FAMILIES).sort().join(", ")}`,
      });
      return;
    }
    if (architecture !== wanted) {
      problems.push({
        index,
        message:
          `${instanceType} is ${architecture} but amiType ${amiType} is for ${wanted}; ` +
          `use amiType ${AMI_TYPE_BY_ARCHITECTURE[architecture]} or ${wanted} instance types`,
      });
    }
  });
  return problems;
}
