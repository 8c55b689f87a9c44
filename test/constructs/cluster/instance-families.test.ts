import { describe, expect, it } from "vitest";
import {
  AMI_TYPE_BY_ARCHITECTURE,
  architectureOf,
  familyOf,
  INSTANCE_FAMILIES,
  instanceTypeProblems,
} from "../../../constructs/cluster/instance-families";

describe("instance family table", () => {
  it("knows Graviton families as arm64 and Intel/AMD families as x86_64", () => {
    for (const family of ["m6g", "m7g", "c7g", "r7g", "t4g", "m8g"]) expect(INSTANCE_FAMILIES[family], family).toBe("arm64");
    for (const family of ["m6i", "m7i", "c6i", "r6i", "m7a", "t3", "m7i-flex"]) expect(INSTANCE_FAMILIES[family], family).toBe("x86_64");
  });

  it("maps each architecture to its AL2023 image type", () => {
    expect(AMI_TYPE_BY_ARCHITECTURE).toEqual({ arm64: "AL2023_ARM_64_STANDARD", x86_64: "AL2023_x86_64_STANDARD" });
  });

  it("parses families from instance types", () => {
    expect(familyOf("m7g.xlarge")).toBe("m7g");
    expect(familyOf("m7i-flex.large")).toBe("m7i-flex");
    expect(familyOf("xlarge")).toBeUndefined();
    expect(architectureOf("c7g.2xlarge")).toBe("arm64");
    expect(architectureOf("p5.48xlarge")).toBeUndefined();
  });

  it("reports mismatches, unknown families and malformed names with their index", () => {
    expect(instanceTypeProblems(["m7g.large", "m6g.large"], "AL2023_ARM_64_STANDARD")).toEqual([]);
    expect(instanceTypeProblems(["m7g.large", "m6i.large", "p5.48xlarge", "big"], "AL2023_ARM_64_STANDARD")).toEqual([
      { index: 1, message: expect.stringMatching(/^m6i\.large is x86_64 but amiType AL2023_ARM_64_STANDARD is for arm64; use amiType AL2023_x86_64_STANDARD or arm64 instance types$/) },
      { index: 2, message: expect.stringMatching(/^unknown instance family "p5" \(p5\.48xlarge\); known families: /) },
      { index: 3, message: expect.stringMatching(/^"big" is not an instance type/) },
    ]);
  });
});
