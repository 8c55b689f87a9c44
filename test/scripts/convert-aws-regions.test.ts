import { describe, expect, it } from "vitest";
import { AWS_REGIONS } from "../../config/schema/aws-regions";
import { convertPartitions, renderRegionsModule } from "../../scripts/convert-aws-regions";

describe("convert-aws-regions", () => {
  const fixture: Parameters<typeof convertPartitions>[0] = {
    partitions: [
      { id: "aws", regionRegex: "^(us|eu)\\-\\w+\\-\\d+$", regions: { "eu-west-1": { description: "Europe (Ireland)" }, "aws-global": { description: "aws global region" }, "us-east-1": { description: "US East (N. Virginia)" } } },
      { id: "aws-cn", regionRegex: "^cn\\-\\w+\\-\\d+$", regions: { "cn-north-1": { description: "China (Beijing)" }, "aws-cn-global": {} } },
    ],
  };

  it("keeps real regions of every partition and drops pseudo regions", () => {
    expect(convertPartitions(fixture)).toEqual({
      "cn-north-1": { partition: "aws-cn", description: "China (Beijing)" },
      "eu-west-1": { partition: "aws", description: "Europe (Ireland)" },
      "us-east-1": { partition: "aws", description: "US East (N. Virginia)" },
    });
    expect(renderRegionsModule(convertPartitions(fixture), "fixture")).toContain('"eu-west-1": { partition: "aws", description: "Europe (Ireland)" },');
  });

  it("has the committed list the configuration checks against", () => {
    expect(Object.keys(AWS_REGIONS).length).toBeGreaterThan(40);
    expect(AWS_REGIONS["eu-west-1"]).toEqual({ partition: "aws", description: "Europe (Ireland)" });
    expect(AWS_REGIONS["us-gov-west-1"].partition).toBe("aws-us-gov");
    expect(Object.keys(AWS_REGIONS).some((code) => code.endsWith("-global"))).toBe(false);
  });
});
