/**
 * Errors of the live Microsoft Entra collector, in a module of their own so that the CLI can tell
 * them apart without loading @azure/identity and the Graph client.
 */

/**
 * A failure that stops a live scan: the token request refused (bad tenant, client ID, secret or
 * certificate), or Graph answering 401, or 403 without `Directory.Read.All`, on the first call.
 * The message names the app and what to check, never a secret.
 */
export class MicrosoftAuthError extends Error {
  override name = "MicrosoftAuthError";
}
