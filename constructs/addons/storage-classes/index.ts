/**
 * The platform's default StorageClass (`gp3-encrypted`, the contract in constructs/core/platform-contracts.ts):
 * EBS gp3 volumes through the EBS CSI driver (an EKS managed add-on of the cluster), encrypted with the
 * environment's data key, created in the zone of the pod that first uses them, expandable.
 *
 * A plain `kubernetes_storage_class_v1`: StorageClass is a built-in kind, so planning it on a new cluster works.
 */
import { StorageClassV1 } from "@cdktf/provider-kubernetes/lib/storage-class-v1";
import { Construct } from "constructs";
import { DEFAULT_STORAGE_CLASS } from "../../core/platform-contracts";

export const EBS_CSI_PROVISIONER = "ebs.csi.aws.com";
export type ReclaimPolicy = "Retain" | "Delete";

export interface StorageClassesProps {
  /** ARN of the KMS key that encrypts every volume. */
  readonly volumeKeyArn: string;
  /**
   * What happens to a volume when its claim is deleted.
   * @default "Retain" — deleting a claim never deletes data; the volume is cleaned up deliberately
   */
  readonly reclaimPolicy?: ReclaimPolicy;
}

export class StorageClasses extends Construct {
  readonly defaultClass: StorageClassV1;

  constructor(scope: Construct, id: string, props: StorageClassesProps) {
    super(scope, id);
    if (props.volumeKeyArn === "") throw new Error("StorageClasses: volumeKeyArn is required (volumes are always encrypted with a customer key)");
    this.defaultClass = new StorageClassV1(this, "gp3-encrypted", {
      metadata: {
        name: DEFAULT_STORAGE_CLASS,
        annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
      },
      storageProvisioner: EBS_CSI_PROVISIONER,
      parameters: {
        type: "gp3",
        encrypted: "true",
        kmsKeyId: props.volumeKeyArn,
        "csi.storage.k8s.io/fstype": "ext4",
      },
      reclaimPolicy: props.reclaimPolicy ?? "Retain",
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
    });
  }
}
