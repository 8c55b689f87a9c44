/**
 * `npm run prices:refresh`: the offer file parsing (on excerpts in the AWS Price List offer file format; the tests
 * have no network) and the refreshed catalog, whose prices name the offer file and its publication date.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCatalog, parseCatalog } from "../../scripts/lib/review/cost";
import { catalogKey, foundPrices, offerPrices, offerUrl, refreshCatalog, type FoundPrice, type OfferFile } from "../../scripts/prices";
import { ROOT } from "../support/synth";

const offer = (service: string) => JSON.parse(readFileSync(join(ROOT, "test", "fixtures", "review", `offer-excerpt-${service}.json`), "utf8")) as OfferFile;

describe("prices:refresh", () => {
  it("selects on-demand Linux shared-tenancy instances, NAT gateway hours and gp3 storage from the EC2 offer", () => {
    const prices = offerPrices("AmazonEC2", offer("AmazonEC2"));
    expect([...prices.keys()].sort()).toEqual(["ebs.gp3", "ec2.m7g.large", "vpc.nat-gateway"]);
    expect(prices.get("ec2.m7g.large")).toEqual({ usd: 0.1, per: "hour", sku: "SKULINUX", unit: "Hrs", description: "USD 0.10 per On Demand Linux m7g.large Instance Hour" });
    expect(prices.get("vpc.nat-gateway")).toMatchObject({ usd: 0.05, per: "hour", sku: "SKUNAT" }); // the hourly charge, not the per-GB one
    expect(prices.get("ebs.gp3")).toMatchObject({ usd: 0.09, per: "GB-month", unit: "GB-Mo" });
    const linux = { productFamily: "Compute Instance", attributes: { instanceType: "m7g.large", operatingSystem: "Linux", tenancy: "Shared", preInstalledSw: "NA", capacitystatus: "Used" } };
    expect(catalogKey("AmazonEC2", linux)).toEqual({ key: "ec2.m7g.large", per: "hour" });
    expect(catalogKey("AmazonEC2", { ...linux, attributes: { ...linux.attributes, operatingSystem: "Windows" } })).toBeUndefined();
    expect(catalogKey("AmazonEC2", { ...linux, attributes: { ...linux.attributes, tenancy: "Dedicated" } })).toBeUndefined();
  });

  it("takes Aurora Standard instances, not I/O-Optimized ones or other engines, from the RDS offer", () => {
    expect(offerPrices("AmazonRDS", offer("AmazonRDS"))).toEqual(new Map([["rds.aurora-postgresql.db.r6g.2xlarge", { usd: 1.16, per: "hour", sku: "SKUAURORAPG2XL", unit: "Hrs", description: "USD 1.16 per db.r6g.2xlarge hour" }]]));
    expect(catalogKey("awswaf", { productFamily: "Web Application Firewall", attributes: { usagetype: "EU-WebACLV2" } })).toEqual({ key: "waf.web-acl", per: "month" });
    expect(catalogKey("awswaf", { productFamily: "Web Application Firewall", attributes: { usagetype: "EU-ShieldProtected-WebACLV2" } })).toBeUndefined();
    expect(catalogKey("AmazonVPC", { productFamily: "VpcEndpoint", attributes: { usagetype: "EU-VpcEndpoint-GWLBE-Hours" } })).toBeUndefined();
    expect(catalogKey("AmazonMQ", { productFamily: "Broker Instances", attributes: { usagetype: "EU-BrokerUsage:mq.m7g.large", brokerEngine: "RabbitMQ", deploymentOption: "Single-AZ", operation: "CreateBroker" } })).toEqual({ key: "mq.rabbitmq.mq.m7g.large", per: "hour" });
  });

  it("writes each refreshed price with the offer file's URL and publication date as its source, and moves it out of the unpriced list", () => {
    const catalog = loadCatalog("eu-west-1");
    if (!catalog) throw new Error("no eu-west-1 catalog");
    expect(catalog.unpriced).toHaveProperty("rds.aurora-postgresql.db.r6g.2xlarge");
    const found = new Map<string, FoundPrice>([...foundPrices("AmazonRDS", "eu-west-1", offer("AmazonRDS")), ...foundPrices("AmazonEC2", "eu-west-1", offer("AmazonEC2"))]);
    const { catalog: refreshed, missing } = refreshCatalog(catalog, found);
    expect(refreshed.prices["rds.aurora-postgresql.db.r6g.2xlarge"]).toEqual({
      usd: 1.16,
      per: "hour",
      sources: [{ url: offerUrl("AmazonRDS", "eu-west-1"), date: "2026-01-01", dateOf: "published", evidence: 'SKU SKUAURORAPG2XL, on-demand, 1.16 USD per Hrs ("USD 1.16 per db.r6g.2xlarge hour")' }],
    });
    expect(offerUrl("AmazonRDS", "eu-west-1")).toBe("https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonRDS/current/eu-west-1/index.json");
    expect(refreshed.unpriced).not.toHaveProperty("rds.aurora-postgresql.db.r6g.2xlarge");
    expect(refreshed.prices["vpc.nat-gateway"]?.sources[0]?.url).toBe(offerUrl("AmazonEC2", "eu-west-1"));
    // Keys no offer file had keep what they had: a sourced price its sources, an unpriced key its place in the list.
    expect(missing).toEqual(expect.arrayContaining(["kms.key", "docdb.db.r6g.xlarge"]));
    expect(refreshed.prices["kms.key"]).toEqual(catalog.prices["kms.key"]);
    expect(refreshed.unpriced["docdb.db.r6g.xlarge"]).toBe(catalog.unpriced["docdb.db.r6g.xlarge"]);
    // What is written is a valid catalog.
    expect(() => parseCatalog(JSON.stringify(refreshed), "eu-west-1.json")).not.toThrow();
  });

  it("rejects a file without a publicationDate (not an offer file), naming its URL", () => {
    const { publicationDate: _date, ...undated } = offer("AmazonRDS");
    expect(() => foundPrices("AmazonRDS", "eu-west-1", undated)).toThrow(/AmazonRDS\/current\/eu-west-1\/index\.json: no publicationDate/);
  });
});
