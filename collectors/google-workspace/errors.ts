/**
 * Errors of the live Google Workspace collector, in a module of their own so that the CLI can
 * tell them apart without loading the Google SDKs.
 */

/**
 * A failure that stops a live scan: credentials refused on the first call (401, a 403 that is not
 * a rate limit, `unauthorized_client` / `invalid_grant` from the token endpoint), or a service
 * account key file that cannot be read. The message names the account and what to check, never a
 * secret.
 */
export class GoogleAuthError extends Error {
  override name = "GoogleAuthError";
}
