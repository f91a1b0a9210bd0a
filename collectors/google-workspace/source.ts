/**
 * The Google Workspace collector as two registry sources: `google` (live, Admin SDK Directory
 * tokens and Reports activities with read-only scopes) and `google-export` (the same API responses
 * saved as JSON). Docs: https://developers.google.com/admin-sdk/directory/reference/rest/v1/tokens and
 * https://developers.google.com/admin-sdk/reports/reference/rest/v1/activities/list.
 */
import { SourceAuthError, type Source } from "../../src/core/source.js";
import { GOOGLE_KEY_FILE_ENV, GOOGLE_TOKEN_ENV, googleConfigSchema, googleOptions, type GoogleConfig } from "./config.js";
import { GoogleAuthError } from "./errors.js";
import { collectExportBatches, collectGoogle, docsUrl } from "./index.js";

/**
 * Markers of an Admin SDK response in the first bytes of a JSON file, kept in step with what
 * `detect.ts` reads: a `kind` of the Directory or Reports API (`admin#directory#…`,
 * `admin#reports#…`, `reports#activities`, the guides' `reports#auditActivities`, `audit#activity`),
 * or, for files without `kind`, a token's `displayText` or Google client ID, an activity's
 * `uniqueQualifier`, a user's `primaryEmail`.
 */
export const GOOGLE_MARKERS = /"(admin#(directory|reports)#|reports#|audit#activit)|"displayText"\s*:|"clientId"\s*:\s*"[^"]*\.apps\.googleusercontent\.com"|"uniqueQualifier"\s*:|"primaryEmail"\s*:/;

const settings = {
  key: "google",
  schema: googleConfigSchema,
  pathFields: ["keyFile"],
  description: "live Google Workspace scan: customer, rootUrl, service-account keyFile and subject (secrets stay in files or the environment)",
} as const;

export const googleExportSource: Source = {
  id: "google-export",
  displayName: "Google Workspace (Admin SDK responses saved as JSON)",
  description: "scan Google Admin SDK responses saved as JSON (tokens.list, users.list, activities.list)",
  docsUrl,
  kind: "file",
  observationSources: ["google-workspace"],
  configKey: "googleExport",
  credentials: [],
  perFile: false,
  accept: (n) => /\.json$/i.test(n),
  sniff: (head) => /^\s*[[{]/.test(head.text) && GOOGLE_MARKERS.test(head.text),
  // in batches: one await per chunk of a file, not per token (see collectExportBatches)
  collect: (files, ctx) => collectExportBatches([...files], ctx),
};

export const googleSource: Source = {
  id: "google",
  displayName: "Google Workspace (live, Admin SDK)",
  description: "scan Google Workspace live through the Admin SDK (read-only scopes; credentials from the environment or google.keyFile)",
  docsUrl,
  kind: "live",
  complete: true,
  observationSources: ["google-workspace"],
  settings,
  credentials: [
    { env: GOOGLE_TOKEN_ENV, secret: true, description: "an OAuth access token with the read-only Admin SDK scopes (used as it is)" },
    { env: GOOGLE_KEY_FILE_ENV, secret: false, description: "path of a service account's JSON key file (domain-wide delegation), when google.keyFile is not set" },
  ],
  enabled: (s, env) => s !== undefined || Boolean(env[GOOGLE_TOKEN_ENV]?.trim()),
  async *collect(_inputs, ctx) {
    let options;
    try {
      options = googleOptions(ctx.settings as GoogleConfig | undefined);
    } catch (e) {
      throw new SourceAuthError((e as Error).message);
    }
    yield* collectGoogle(options, ctx);
  },
  isAuthError: (e) => e instanceof GoogleAuthError,
};
