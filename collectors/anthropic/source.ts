/**
 * Anthropic as a registry source: `anthropic` (live, the Admin API with `ANTHROPIC_ADMIN_KEY`).
 * It writes the vendor roster (src/store/rosters.ts); `seats` reconciles it.
 */
import { SourceAuthError, type Source } from "../../src/core/source.js";
import { AdminAuthError } from "../../src/io/admin-http.js";
import { ANTHROPIC_KEY_ENV, anthropicConfigSchema, type AnthropicConfig } from "./config.js";
import { collectAnthropic, docsUrl } from "./index.js";

export const anthropicSource: Source = {
  id: "anthropic",
  displayName: "Anthropic organisation (live, Admin API)",
  description: "scan an Anthropic organisation through the Admin API: users, invites, workspaces, API keys, usage and cost per day, Claude Code use, managed agents",
  docsUrl,
  kind: "live",
  observationSources: ["anthropic"],
  settings: {
    key: "anthropic",
    schema: anthropicConfigSchema,
    description: "Anthropic Admin API: baseUrl (proxy), organization label, pageSize, initialDays, agents, claudeCode",
  },
  credentials: [{ env: ANTHROPIC_KEY_ENV, secret: true, description: "an Anthropic Admin API key (sk-ant-admin…), made by an organisation admin; read-only use" }],
  enabled: (_s, env) => Boolean(env[ANTHROPIC_KEY_ENV]?.trim()),
  async *collect(_inputs, ctx) {
    const key = process.env[ANTHROPIC_KEY_ENV]?.trim();
    if (!key) throw new SourceAuthError(`${ANTHROPIC_KEY_ENV} is not set: scan anthropic needs an Anthropic Admin API key`);
    yield* collectAnthropic({ key, ...(ctx.settings ? { config: ctx.settings as AnthropicConfig } : {}) }, ctx);
  },
  isAuthError: (e) => e instanceof AdminAuthError,
};
