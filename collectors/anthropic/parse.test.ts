import { describe, expect, it } from "vitest";
import { parseAgent, parseApiKey, parseClaudeCode, parseMessagesUsage } from "./parse.js";

describe("Anthropic managed agents", () => {
  it("lists the tools that run without approval, following each toolset's documented default", () => {
    const a = parseAgent({
      id: "agent_1", name: "A", model: { id: "claude-sonnet-4-6" }, version: 3,
      mcp_servers: [{ type: "url", name: "github", url: "https://api.githubcopilot.com/mcp/" }, { type: "url", name: "docs", url: "https://docs.example.com/mcp" }],
      tools: [
        // agent toolset without default_config: always_allow, except bash which asks and web_fetch which is off
        { type: "agent_toolset_20260401", configs: [{ name: "bash", permission_policy: { type: "always_ask" } }, { name: "web_fetch", enabled: false }] },
        // MCP toolset without a policy: always_ask; one tool allowed explicitly
        { type: "mcp_toolset", mcp_server_name: "github", configs: [{ name: "create_issue", permission_policy: { type: "always_allow" } }] },
        { type: "mcp_toolset", mcp_server_name: "docs", default_config: { permission_policy: { type: "auto" } } },
        { type: "custom", name: "lookup" },
      ],
    });
    expect(a?.model).toBe("claude-sonnet-4-6");
    expect(a?.mcpServers).toEqual([{ name: "github", url: "https://api.githubcopilot.com/mcp/" }, { name: "docs", url: "https://docs.example.com/mcp" }]);
    expect(a?.unsupervised).toEqual(["agent_toolset:*", "mcp:github:create_issue"]);
    expect(a?.tools).toContainEqual({ toolset: "agent_toolset", name: "web_fetch", policy: "disabled" });
    expect(a?.tools).toContainEqual({ toolset: "mcp:docs", name: "*", policy: "auto" });
  });

  it("is supervised when every toolset asks", () => {
    expect(parseAgent({ id: "agent_2", tools: [{ type: "agent_toolset_20260401", default_config: { permission_policy: { type: "always_ask" } } }] })?.unsupervised).toEqual([]);
  });
});

describe("Anthropic Admin API objects", () => {
  it("gives a key to its principal before its creator, and keeps only the partial hint", () => {
    const k = parseApiKey({ id: "apikey_1", type: "api_key", name: "ci", workspace_id: "wrkspc_1", created_at: "2026-01-01T00:00:00Z", created_by: { id: "user_admin", type: "user" }, principal: { id: "svcacct_1", type: "service_account" }, partial_key_hint: "sk-ant-api03-R2D...igAA", status: "active" });
    expect(k).toMatchObject({ ownerKind: "service_account", ownerId: "svcacct_1", createdById: "user_admin", redacted: "sk-ant-api03-R2D...igAA", scope: "workspace", status: "active" });
  });

  it("sums a day's tokens per key, cache included", () => {
    const u = parseMessagesUsage({ starting_at: "2026-12-01T00:00:00Z", ending_at: "2026-12-02T00:00:00Z", results: [{ api_key_id: "k", uncached_input_tokens: 10, cache_read_input_tokens: 5, cache_creation: { ephemeral_5m_input_tokens: 1, ephemeral_1h_input_tokens: 2 }, output_tokens: 7 }] });
    expect(u).toEqual([
      { day: "2026-12-01", subjectKind: "api_key", subjectId: "k", metric: "input_tokens", value: 18 },
      { day: "2026-12-01", subjectKind: "api_key", subjectId: "k", metric: "output_tokens", value: 7 },
    ]);
  });

  it("reads a Claude Code user's day and ignores API actors", () => {
    expect(parseClaudeCode({ date: "2026-12-05T00:00:00Z", actor: { type: "user_actor", email_address: "Fay@Example.com" }, core_metrics: { num_sessions: 2 } })).toEqual({ day: "2026-12-05", subjectKind: "user", subjectId: "fay@example.com", metric: "claude_code_sessions", value: 2 });
    expect(parseClaudeCode({ date: "2026-12-05T00:00:00Z", actor: { type: "api_actor", api_key_name: "ci" } })).toBeUndefined();
  });
});
