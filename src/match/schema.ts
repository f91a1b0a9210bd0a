/**
 * Schema of a signature file (`signatures/<id>.yaml`), validated with zod at load.
 * The format follows Sigma rules in spirit: a stable id, references, a last-validated date, a
 * `match` block, false positives, tags, and examples that must and must not match.
 */
import { z } from "zod";
import { AI_ACT_TIERS, SERVICE_CATEGORIES } from "../core/service.js";
import { PACKAGE_SPEC } from "./packages.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A DNS name of at least two labels, lower-case, no scheme, no path, no wildcard. */
const DOMAIN = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

const regex = z.string().refine(
  (s) => {
    try {
      new RegExp(s, "i");
      return true;
    } catch {
      return false;
    }
  },
  { message: "not a valid regular expression" },
);

/** One example value: exactly one identifier, as it would appear in evidence. */
export const exampleSchema = z
  .object({
    host: z.string().min(1).optional(),
    clientId: z.string().min(1).optional(),
    appId: z.string().min(1).optional(),
    appName: z.string().min(1).optional(),
    publisher: z.string().min(1).optional(),
    userAgent: z.string().min(1).optional(),
    /** An MCP server package as endpoints run it: `npm:@playwright/mcp` (src/match/packages.ts). */
    package: z.string().min(5).optional(),
  })
  .strict()
  .refine((e) => Object.keys(e).length === 1, { message: "an example has exactly one of host, clientId, appId, appName, publisher, userAgent, package" });

export const signatureSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "kebab-case id"),
    name: z.string().min(1).max(120),
    vendor: z.string().min(1).max(120),
    category: z.enum(SERVICE_CATEGORIES),
    description: z.string().max(1000).optional(),
    status: z.enum(["stable", "experimental", "deprecated"]).default("stable"),
    references: z.array(z.url({ protocol: /^https$/ })).min(1),
    lastValidated: z.string().regex(ISO_DATE, "YYYY-MM-DD"),
    match: z
      .object({
        domains: z.array(z.string().regex(DOMAIN, "lower-case DNS name without scheme, path or wildcard")).default([]),
        oauthClientIds: z.array(z.string().min(8)).default([]),
        entraAppIds: z.array(z.string().regex(GUID, "GUID")).default([]),
        publishers: z.array(z.string().min(2)).default([]),
        appNamePatterns: z.array(regex).default([]),
        userAgents: z.array(z.string().min(3)).default([]),
        /** MCP server packages endpoints run: `npm:<name>`, `pypi:<name>`, `docker:<image>`, lower-case (src/match/packages.ts). */
        packages: z.array(z.string().regex(PACKAGE_SPEC, "npm:<name>, pypi:<name> or docker:<image>, lower-case")).default([]),
      })
      .strict()
      .refine((m) => m.domains.length + m.oauthClientIds.length + m.entraAppIds.length + m.appNamePatterns.length + m.packages.length > 0, {
        message: "a signature needs at least one domain, client ID, app ID, app-name pattern or package",
      }),
    /** Where each OAuth client ID or Entra app ID was published: `{ "<id>": "<url>" }`. Never guess an ID. */
    idSources: z.record(z.string(), z.url({ protocol: /^https$/ })).default({}),
    vendorFacts: z
      .object({
        hqCountry: z.string().regex(/^[A-Z]{2}$/, "ISO 3166-1 alpha-2").optional(),
        trainsOnCustomerData: z.enum(["yes", "no", "opt_out", "unknown"]).default("unknown"),
        enterpriseTier: z.boolean().optional(),
        certifications: z.array(z.string()).default([]),
      })
      .strict()
      .default({ trainsOnCustomerData: "unknown", certifications: [] }),
    euAiAct: z
      .object({
        tier: z.enum(AI_ACT_TIERS),
        articles: z.array(z.string().regex(/^(Art\.|Annex) /, "starts with 'Art. ' or 'Annex '")).min(1),
        rationale: z.string().min(20).max(1000),
      })
      .strict(),
    /**
     * Ids of signatures whose domains this one deliberately narrows: a domain here that is a
     * subdomain of one of theirs (`contoso.openai.azure.com` under `openai.azure.com`) wins by
     * longest suffix, and `signatures lint` does not warn about the overlap.
     */
    overrides: z.array(z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "kebab-case id")).default([]),
    /**
     * The vendor's own web sites when they are not match domains (a suite's AI feature must never
     * match the plain suite's domain, but its documentation lives there): references on these count
     * as the vendor's own material. Never used for matching.
     */
    vendorSites: z.array(z.string().regex(DOMAIN, "lower-case DNS name without scheme, path or wildcard")).max(10).default([]),
    falsePositives: z.array(z.string()).default([]),
    tags: z.array(z.string()).default([]),
    examples: z
      .object({
        match: z.array(exampleSchema).min(1),
        noMatch: z.array(exampleSchema).min(1),
      })
      .strict(),
  })
  .strict()
  .superRefine((s, ctx) => {
    for (const id of [...s.match.oauthClientIds, ...s.match.entraAppIds]) {
      if (!(id in s.idSources)) {
        ctx.addIssue({ code: "custom", path: ["idSources"], message: `ID ${id} has no source URL in idSources (never guess an ID)` });
      }
    }
  });

export type SignatureFile = z.infer<typeof signatureSchema>;
export type SignatureExample = z.infer<typeof exampleSchema>;
