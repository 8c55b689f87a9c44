import { Testing, TerraformStack } from "cdktf";
import { describe, expect, it } from "vitest";
import { StorageClasses } from "../../../constructs/addons/storage-classes";
import { DEFAULT_STORAGE_CLASS } from "../../../constructs/core/platform-contracts";
import { resourceList, synthConstruct } from "../../support/synth";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/data";

describe("StorageClasses", () => {
  it("creates the default gp3 class, encrypted with the data key, retaining volumes by default", () => {
    const { json } = synthConstruct((scope) => new StorageClasses(scope, "storage", { volumeKeyArn: KEY }));
    expect(resourceList(json, "kubernetes_storage_class_v1")).toEqual([
      {
        metadata: { name: DEFAULT_STORAGE_CLASS, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
        storage_provisioner: "ebs.csi.aws.com",
        parameters: { type: "gp3", encrypted: "true", kmsKeyId: KEY, "csi.storage.k8s.io/fstype": "ext4" },
        reclaim_policy: "Retain",
        volume_binding_mode: "WaitForFirstConsumer",
        allow_volume_expansion: true,
      },
    ]);
    expect(DEFAULT_STORAGE_CLASS).toBe("gp3-encrypted");
  });

  it("deletes volumes with their claims where configured (development)", () => {
    const { json } = synthConstruct((scope) => new StorageClasses(scope, "storage", { volumeKeyArn: KEY, reclaimPolicy: "Delete" }));
    expect(resourceList(json, "kubernetes_storage_class_v1")[0]?.reclaim_policy).toBe("Delete");
  });

  it("rejects a missing key", () => {
    expect(() => new StorageClasses(new TerraformStack(Testing.app(), "t"), "storage", { volumeKeyArn: "" })).toThrow(/volumeKeyArn is required/);
  });
});
