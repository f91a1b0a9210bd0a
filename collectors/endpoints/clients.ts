/**
 * Where AI clients keep their MCP server configuration and what it looks like, per client, with the
 * documentation each fact comes from. Paths are relative to a home directory; the three operating
 * systems' paths are all tried, since `--home` may point at a copy of any of them.
 *
 * | client | file (home-relative, or in a project) | root key |
 * | --- | --- | --- |
 * | Claude Desktop | `Library/Application Support/Claude/claude_desktop_config.json` (macOS), `AppData/Roaming/Claude/claude_desktop_config.json` (Windows `%APPDATA%`), `.config/Claude/claude_desktop_config.json` (Linux) | `mcpServers` |
 * | Claude Code | `.claude.json`: user scope at the root, local scope under `projects["<path>"].mcpServers`; project scope in `<project>/.mcp.json` | `mcpServers` |
 * | Cursor | `.cursor/mcp.json`, `<project>/.cursor/mcp.json` | `mcpServers` |
 * | VS Code | user profile `mcp.json` (`Library/Application Support/Code/User/`, `AppData/Roaming/Code/User/`, `.config/Code/User/`), `<project>/.vscode/mcp.json`; older user `settings.json` key `mcp` → `servers` | `servers` |
 * | Gemini CLI | `.gemini/settings.json`, `<project>/.gemini/settings.json` (`httpUrl` Streamable HTTP, `url` SSE) | `mcpServers` |
 * | Windsurf | `.codeium/windsurf/mcp_config.json` (`serverUrl` or `url` for remote servers) | `mcpServers` |
 * | Codex | `.codex/config.toml`, `<project>/.codex/config.toml`: tables `[mcp_servers.<name>]` | `mcp_servers` |
 * | GitHub Copilot CLI | `.copilot/mcp-config.json` | `mcpServers` |
 */

/** A client's id, as bundles and records name it. */
export type ClientId =
  | "claude-desktop" | "claude-code" | "cursor" | "vscode" | "gemini-cli" | "windsurf" | "codex" | "copilot-cli"
  | "ollama" | "lm-studio";

/** What a client is, for the agent record of its presence. */
export const CLIENTS: Record<ClientId, { name: string; vendor: string; kind: "desktop" | "cli" | "ide" | "model-runner"; docs: string }> = {
  "claude-desktop": { name: "Claude Desktop", vendor: "Anthropic", kind: "desktop", docs: "https://modelcontextprotocol.io/quickstart/user" },
  "claude-code": { name: "Claude Code", vendor: "Anthropic", kind: "cli", docs: "https://docs.anthropic.com/en/docs/claude-code/mcp" },
  cursor: { name: "Cursor", vendor: "Anysphere", kind: "ide", docs: "https://cursor.com/docs/mcp" },
  vscode: { name: "VS Code (Copilot agent mode)", vendor: "Microsoft", kind: "ide", docs: "https://code.visualstudio.com/docs/agents/reference/mcp-configuration" },
  "gemini-cli": { name: "Gemini CLI", vendor: "Google", kind: "cli", docs: "https://github.com/google-gemini/gemini-cli/blob/main/docs/tools/mcp-server.md" },
  windsurf: { name: "Windsurf", vendor: "Cognition (Codeium)", kind: "ide", docs: "https://docs.windsurf.com/windsurf/cascade/mcp" },
  codex: { name: "Codex CLI", vendor: "OpenAI", kind: "cli", docs: "https://developers.openai.com/codex/mcp" },
  "copilot-cli": { name: "GitHub Copilot CLI", vendor: "GitHub (Microsoft)", kind: "cli", docs: "https://code.visualstudio.com/docs/agents/reference/mcp-configuration" },
  ollama: { name: "Ollama", vendor: "Ollama", kind: "model-runner", docs: "https://github.com/ollama/ollama/blob/main/docs/faq.md#where-are-models-stored" },
  "lm-studio": { name: "LM Studio", vendor: "Element Labs", kind: "model-runner", docs: "https://lmstudio.ai/docs/app/basics/download-model" },
};

/** How a file is read. */
export type FileFormat =
  /** JSON (or JSONC) with servers under a root key. */
  | { type: "json"; rootKey: string[] }
  /** `~/.claude.json`: user scope at the root, local scope under `projects`. */
  | { type: "claude-json" }
  /** TOML with `[mcp_servers.<name>]` tables (Codex). */
  | { type: "codex-toml" };

/** A configuration file to look for. */
export interface ConfigFile {
  client: ClientId;
  /** Path segments relative to the home (user scope) or to a project directory (project scope). */
  path: string[];
  format: FileFormat;
  scope: "user" | "project";
}

const MCP_SERVERS: FileFormat = { type: "json", rootKey: ["mcpServers"] };

/** User-scope files, relative to a home directory. Sources: the `docs` URL of each client in {@link CLIENTS}. */
export const USER_FILES: readonly ConfigFile[] = [
  { client: "claude-desktop", path: ["Library", "Application Support", "Claude", "claude_desktop_config.json"], format: MCP_SERVERS, scope: "user" },
  { client: "claude-desktop", path: ["AppData", "Roaming", "Claude", "claude_desktop_config.json"], format: MCP_SERVERS, scope: "user" },
  { client: "claude-desktop", path: [".config", "Claude", "claude_desktop_config.json"], format: MCP_SERVERS, scope: "user" },
  { client: "claude-code", path: [".claude.json"], format: { type: "claude-json" }, scope: "user" },
  { client: "cursor", path: [".cursor", "mcp.json"], format: MCP_SERVERS, scope: "user" },
  ...["Code", "Code - Insiders"].flatMap((app): ConfigFile[] =>
    [["Library", "Application Support"], ["AppData", "Roaming"], [".config"]].flatMap((base): ConfigFile[] => [
      { client: "vscode", path: [...base, app, "User", "mcp.json"], format: { type: "json", rootKey: ["servers"] }, scope: "user" },
      { client: "vscode", path: [...base, app, "User", "settings.json"], format: { type: "json", rootKey: ["mcp", "servers"] }, scope: "user" },
    ]),
  ),
  { client: "gemini-cli", path: [".gemini", "settings.json"], format: MCP_SERVERS, scope: "user" },
  { client: "windsurf", path: [".codeium", "windsurf", "mcp_config.json"], format: MCP_SERVERS, scope: "user" },
  { client: "codex", path: [".codex", "config.toml"], format: { type: "codex-toml" }, scope: "user" },
  { client: "copilot-cli", path: [".copilot", "mcp-config.json"], format: MCP_SERVERS, scope: "user" },
];

/** Project-scope files, relative to a project directory. */
export const PROJECT_FILES: readonly ConfigFile[] = [
  { client: "claude-code", path: [".mcp.json"], format: MCP_SERVERS, scope: "project" },
  { client: "cursor", path: [".cursor", "mcp.json"], format: MCP_SERVERS, scope: "project" },
  { client: "vscode", path: [".vscode", "mcp.json"], format: { type: "json", rootKey: ["servers"] }, scope: "project" },
  { client: "gemini-cli", path: [".gemini", "settings.json"], format: MCP_SERVERS, scope: "project" },
  { client: "codex", path: [".codex", "config.toml"], format: { type: "codex-toml" }, scope: "project" },
];

/**
 * Files and directories whose presence says a local AI client or model runner is installed for the
 * user, even with no MCP server: Claude Code's `.claude/`, Codex's `.codex/`, Gemini CLI's `.gemini/`,
 * Copilot CLI's `.copilot/`, Ollama's `.ollama/` (models and key, per its FAQ), LM Studio's
 * `.lmstudio/` (and the older `.cache/lm-studio/`).
 */
export const PRESENCE: readonly { client: ClientId; path: string[] }[] = [
  { client: "claude-code", path: [".claude"] },
  { client: "codex", path: [".codex"] },
  { client: "gemini-cli", path: [".gemini"] },
  { client: "copilot-cli", path: [".copilot"] },
  { client: "cursor", path: [".cursor"] },
  { client: "windsurf", path: [".codeium", "windsurf"] },
  { client: "ollama", path: [".ollama"] },
  { client: "ollama", path: ["AppData", "Local", "Ollama"] },
  { client: "lm-studio", path: [".lmstudio"] },
  { client: "lm-studio", path: [".cache", "lm-studio"] },
];
