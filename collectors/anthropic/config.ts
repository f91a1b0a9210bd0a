/**
 * The `anthropic:` section of shadow-ai.yaml for `scan anthropic`. The key comes from
 * `ANTHROPIC_ADMIN_KEY`, never from the file.
 */
import { z } from "zod";
import { credentialEndpoint } from "../../src/io/endpoint.js";

/** The variable holding the Admin API key (`sk-ant-admin…`). */
export const ANTHROPIC_KEY_ENV = "ANTHROPIC_ADMIN_KEY";

/** Default base URL (https://docs.anthropic.com/en/api/admin-api). */
export const ANTHROPIC_BASE_URL = "https://api.anthropic.com";

/** API version header value (https://docs.anthropic.com/en/api/versioning). */
export const ANTHROPIC_VERSION = "2023-06-01";

/** Beta header of the Managed Agents API (https://platform.claude.com/docs/en/managed-agents/overview). */
export const MANAGED_AGENTS_BETA = "managed-agents-2026-04-01";

export const anthropicConfigSchema = z
  .object({
    /** A proxy or a test server instead of api.anthropic.com (https, or http to loopback). */
    baseUrl: credentialEndpoint.optional(),
    /** Label used when `/v1/organizations/me` does not name the organisation. */
    organization: z.string().min(1).max(200).optional(),
    /** Items per page (the API allows 1-1000). */
    pageSize: z.number().int().min(1).max(1000).optional(),
    /** Days of usage read on the first scan (later scans continue from their cursor). */
    initialDays: z.number().int().min(1).max(365).optional(),
    /** Read managed agents (`/v1/agents`, beta); default true. */
    agents: z.boolean().optional(),
    /** Read the Claude Code usage report per user and day; default true. */
    claudeCode: z.boolean().optional(),
    maxCallsPerMinute: z.number().int().min(0).max(100_000).optional(),
  })
  .strict();

export type AnthropicConfig = z.infer<typeof anthropicConfigSchema>;
