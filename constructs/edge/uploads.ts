/**
 * The upload scopes of the environment's web ACL (constructs/waf), from its products: every web workload whose ingress
 * declares `uploads` (paths accepting bodies over 8 KB, up to a size of their own). Hosts are matched for the product's
 * own instance and its shared and dedicated tenants' (`<host>.<tenant>.<domain>`), which share the web ACL. A tenant on
 * a custom domain (outside the product's domain) is not matched: its uploads over 8 KB stay blocked.
 */
import type { ProductConfig } from "../../config/schema/products";
import { parseMemory } from "../workload/quantity";
import type { HostMatch, UploadScope } from "../waf/rules";

/** The web ACL's view of a relative ingress host. */
function hostMatch(host: string, domain: string): HostMatch {
  return { domain, host: host === "@" ? "apex" : host };
}

/** Upload scopes of an environment's products, sorted by product and workload. */
export function uploadScopes(products: Readonly<Record<string, ProductConfig>>): UploadScope[] {
  const scopes: UploadScope[] = [];
  for (const [productName, product] of Object.entries(products).sort(([a], [b]) => a.localeCompare(b))) {
    if (!product.domain) continue;
    for (const [name, workload] of Object.entries(product.workloads).sort(([a], [b]) => a.localeCompare(b))) {
      const ingress = workload.ingress;
      if (!ingress?.uploads) continue;
      const bytes = parseMemory(ingress.uploads.maxBodySize);
      if (bytes === undefined) throw new Error(`uploadScopes: ${productName}/${name}: maxBodySize ${ingress.uploads.maxBodySize} is not a size`);
      scopes.push({
        name: `${productName}-${name}`,
        hosts: ingress.hosts.map((host) => hostMatch(host, product.domain as string)),
        paths: ingress.uploads.paths ?? ingress.paths,
        maxBodyBytes: bytes,
      });
    }
  }
  return scopes;
}
