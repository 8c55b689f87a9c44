/** Errors of the preflight's AWS layer (aws.ts, dns.ts). */

/** An error AWS (or the resolver) answered: `name` is the error code (`NoSuchEntityException`, `ENOTFOUND`, ...). */
export class AwsCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly operation: string,
    readonly region: string,
  ) {
    super(message);
    this.name = code;
  }
}
