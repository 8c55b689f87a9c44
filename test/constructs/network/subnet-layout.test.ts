import { describe, expect, it } from "vitest";
import { planSubnets, SubnetLayoutError } from "../../../constructs/network/subnet-layout";

describe("planSubnets", () => {
  it("lays out a /16 over 3 AZs: /19 private, then /22 public, then /22 data", () => {
    expect(planSubnets("10.30.0.0/16", 3, { private: 3, public: 6, data: 6 })).toEqual({
      private: ["10.30.0.0/19", "10.30.32.0/19", "10.30.64.0/19"],
      public: ["10.30.96.0/22", "10.30.100.0/22", "10.30.104.0/22"],
      data: ["10.30.108.0/22", "10.30.112.0/22", "10.30.116.0/22"],
    });
  });

  it("allocates the largest tier first so every block is aligned", () => {
    const layout = planSubnets("172.20.0.0/20", 2, { private: 2, public: 4, data: 3 });
    expect(layout).toEqual({
      private: ["172.20.0.0/22", "172.20.4.0/22"],
      data: ["172.20.8.0/23", "172.20.10.0/23"],
      public: ["172.20.12.0/24", "172.20.13.0/24"],
    });
  });

  it("is deterministic and never overlaps", () => {
    const a = planSubnets("10.0.0.0/16", 6, { private: 3, public: 7, data: 7 });
    expect(planSubnets("10.0.0.0/16", 6, { private: 3, public: 7, data: 7 })).toEqual(a);
    const all = [...a.private, ...a.public, ...a.data];
    expect(new Set(all).size).toBe(18);
  });

  it("fails when the subnets do not fit or would be smaller than /28", () => {
    expect(() => planSubnets("10.0.0.0/16", 3, { private: 1, public: 6, data: 6 })).toThrow(SubnetLayoutError);
    expect(() => planSubnets("10.0.0.0/16", 3, { private: 1, public: 6, data: 6 })).toThrow(/do not fit in 10\.0\.0\.0\/16/);
    expect(() => planSubnets("10.0.0.0/24", 3, { private: 2, public: 5, data: 5 })).toThrow(/\/29.*\/28 or larger/);
  });
});
