/**
 * The `openai:` section of shadow-ai.yaml, shared by `scan openai` (the Admin API) and
 * `scan chatgpt-members` (member CSV exports of ChatGPT Business/Team). The key comes from
 * `OPENAI_ADMIN_KEY`, never from the file.
 */
import { z } from "zod";
import { credentialEndpoint } from "../../src/io/endpoint.js";

/** The variable holding the Admin API key. */
export const OPENAI_KEY_ENV = "OPENAI_ADMIN_KEY";

/** Default base URL of the API (https://platform.openai.com/docs/api-reference/administration). */
export const OPENAI_BASE_URL = "https://api.openai.com/v1";

export const openaiConfigSchema = z
  .object({
    /** A proxy or a test server instead of api.openai.com (https, or http to loopback). */
    baseUrl: credentialEndpoint.optional(),
    /** Label of the organisation in the store (the Admin API does not name it); default `default`. */
    organization: z.string().min(1).max(200).optional(),
    /** Label of the ChatGPT workspace whose member exports `scan chatgpt-members` reads; default `chatgpt`. */
    chatgptWorkspace: z.string().min(1).max(200).optional(),
    /** Items per page (the API allows 1-100). */
    pageSize: z.number().int().min(1).max(100).optional(),
    /** Days of usage and audit log read on the first scan (later scans continue from their cursor). */
    initialDays: z.number().int().min(1).max(365).optional(),
    maxCallsPerMinute: z.number().int().min(0).max(100_000).optional(),
  })
  .strict();

export type OpenAIConfig = z.infer<typeof openaiConfigSchema>;
