import { describe, expect, it } from "vitest";
import { bundledSynth, type Synthesized } from "../support/synth";

const stacks = [...bundledSynth()].filter(([name]) => name.endsWith("-platform"));

describe("platform stack providers", () => {
  const clusterOf = (name: string) => (name.startsWith("tenant-") ? `acme-prod-${name.split("-")[1]}-eks` : `acme-${name.replace(/-platform$/, "")}-eks`);
  for (const [name, text] of stacks) {
    const clusterName = clusterOf(name);
    const json = JSON.parse(text) as Synthesized;
    const exec = {
      api_version: "client.authentication.k8s.io/v1beta1",
      command: "aws",
      args: ["eks", "get-token", "--cluster-name", clusterName, "--region", "eu-west-1", "--output", "json"],
    };

    it(`${name} finds its cluster by name through a data source`, () => {
      expect(json.data?.aws_eks_cluster).toEqual({ cluster: expect.objectContaining({ name: clusterName }) });
      expect(json.resource?.aws_eks_cluster).toBeUndefined();
    });

    it(`${name} authenticates Kubernetes and Helm with short-lived exec tokens, never static credentials`, () => {
      const [kubernetes] = json.provider?.kubernetes ?? [];
      const [helm] = json.provider?.helm ?? [];
      expect(kubernetes).toEqual({
        host: "${data.aws_eks_cluster.cluster.endpoint}",
        cluster_ca_certificate: "${base64decode(data.aws_eks_cluster.cluster.certificate_authority[0].data)}",
        exec: [exec],
      });
      expect(helm).toEqual({ kubernetes: { host: kubernetes!.host, cluster_ca_certificate: kubernetes!.cluster_ca_certificate, exec } });
    });
  }
});
