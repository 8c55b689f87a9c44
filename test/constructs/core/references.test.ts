import { describe, expect, it } from "vitest";
import { addressesIn, expressionsIn, undeclaredReferences } from "../../../constructs/core/references";

describe("expressionsIn", () => {
  it("returns every interpolation, with nested braces and quoted literals blanked", () => {
    expect(expressionsIn('arn:${aws_s3_bucket.logs.arn}/*')).toEqual(["aws_s3_bucket.logs.arn"]);
    expect(expressionsIn('${jsonencode({"a" = aws_kms_key.data.arn, "b" = "aws_fake.quoted"})}')).toEqual(['jsonencode({"" = aws_kms_key.data.arn, "" = ""})']);
    expect(expressionsIn("${a.b}-${c.d}")).toEqual(["a.b", "c.d"]);
  });

  it("finds templates nested in quoted literals, and %{...} directives", () => {
    expect(expressionsIn('${replace("${aws_iam_role.r.arn}/x", "a", "b")}')).toEqual(["aws_iam_role.r.arn", 'replace("", "", "")']);
    expect(expressionsIn("%{ for s in aws_subnet.private ~}${s.id}%{ endfor ~}")).toEqual([" for s in aws_subnet.private ~", "s.id", " endfor ~"]);
    expect(expressionsIn("100%% literal %%{not} ${a.b}")).toEqual(["a.b"]);
  });

  it("skips escaped interpolations ($${...}), which Terraform renders literally", () => {
    expect(expressionsIn("echo $${PGHOST.x} ${aws_x.y.id}")).toEqual(["aws_x.y.id"]);
  });
});

describe("addressesIn", () => {
  it("finds resource and data-source addresses, not attributes, functions or other roots", () => {
    expect(addressesIn("element(data.aws_iam_policy_document.read.json, 0)")).toEqual(["data.aws_iam_policy_document.read"]);
    expect(addressesIn("aws_db_instance.main.endpoint_address.some_field")).toEqual(["aws_db_instance.main"]);
    expect(addressesIn("var.region_name")).toEqual([]);
    expect(addressesIn("each.value.sub_net")).toEqual([]);
    expect(addressesIn("local.tags_all")).toEqual([]);
    expect(addressesIn("base64encode(terraform_data.seed.output)")).toEqual(["terraform_data.seed"]);
    expect(addressesIn("[for s in aws_subnet.private : s.id]")).toEqual(["aws_subnet.private"]);
    expect(addressesIn("{ for sub_net, cidr_block in aws_subnet.private : sub_net.id => cidr_block.value }")).toEqual(["aws_subnet.private"]);
  });
});

describe("undeclaredReferences", () => {
  const stack = {
    "//": { metadata: { note: "${aws_not.declared.id}" } },
    data: { aws_kms_alias: { data: { name: "alias/x" } } },
    resource: {
      aws_s3_bucket: { logs: { bucket: "logs" } },
      aws_s3_bucket_policy: {
        logs: { bucket: "${aws_s3_bucket.logs.id}", policy: "${data.aws_kms_alias.data.target_key_arn}" },
        other: { bucket: "${aws_s3_bucket.elsewhere.id}", tags: [{ key: "${data.aws_kms_alias.gone.arn}" }], depends_on: ["aws_s3_bucket.logs", "aws_s3_bucket.missing"] },
      },
    },
  };

  it("reports references to resources and data sources the stack does not declare, with where they are", () => {
    expect(undeclaredReferences(stack)).toEqual([
      { at: "resource.aws_s3_bucket_policy.other.bucket", address: "aws_s3_bucket.elsewhere" },
      { at: "resource.aws_s3_bucket_policy.other.tags[0].key", address: "data.aws_kms_alias.gone" },
      { at: "resource.aws_s3_bucket_policy.other.depends_on[1]", address: "aws_s3_bucket.missing" },
    ]);
  });

  it("ignores cdktf's // metadata", () => {
    expect(undeclaredReferences({ "//": stack["//"] })).toEqual([]);
  });
});
