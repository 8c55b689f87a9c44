/**
 * Subnet CIDR layout: carves the VPC CIDR into per-AZ public, private and data subnets with the `ip-address`
 * library. Tiers are allocated largest block first, so every block is aligned to its own size; ties keep the
 * order private, public, data. The same inputs always give the same layout, and adding a tier later uses the
 * space after the last block, so existing subnets never move.
 */
import { Address4 } from "ip-address";

export const SUBNET_TIERS = ["private", "public", "data"] as const;
export type SubnetTier = (typeof SUBNET_TIERS)[number];

export type SubnetNewBits = Readonly<Record<SubnetTier, number>>;
export type SubnetLayout = Readonly<Record<SubnetTier, readonly string[]>>;

export class SubnetLayoutError extends Error {}

export function planSubnets(vpcCidr: string, azCount: number, newBits: SubnetNewBits): SubnetLayout {
  const vpc = new Address4(vpcCidr);
  const vpcPrefix = vpc.subnetMask;
  const vpcSize = 1n << BigInt(32 - vpcPrefix);
  const base = vpc.startAddress().bigInt();

  const order = [...SUBNET_TIERS].sort((a, b) => newBits[a] - newBits[b]);
  const layout: Record<SubnetTier, string[]> = { private: [], public: [], data: [] };
  let cursor = 0n;
  for (const tier of order) {
    const prefix = vpcPrefix + newBits[tier];
    if (prefix > 28) {
      throw new SubnetLayoutError(`${tier} subnets would be /${prefix}; AWS subnets must be /28 or larger (reduce subnetNewBits.${tier})`);
    }
    const size = 1n << BigInt(32 - prefix);
    cursor = ((cursor + size - 1n) / size) * size;
    for (let az = 0; az < azCount; az++) {
      if (cursor + size > vpcSize) {
        throw new SubnetLayoutError(
          `${azCount} AZs x (private /${vpcPrefix + newBits.private}, public /${vpcPrefix + newBits.public}, data /${vpcPrefix + newBits.data}) do not fit in ${vpcCidr}; increase subnetNewBits or use a larger VPC CIDR`,
        );
      }
      layout[tier].push(`${Address4.fromBigInt(base + cursor).correctForm()}/${prefix}`);
      cursor += size;
    }
  }
  return layout;
}
