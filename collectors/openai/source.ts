/**
 * OpenAI as two registry sources: `openai` (live, the Admin API with `OPENAI_ADMIN_KEY`) and
 * `chatgpt-members` (member CSV exports of ChatGPT Business/Team workspaces, which have no admin
 * API). Both write vendor rosters (src/store/rosters.ts); `seats` reconciles them.
 */
import { basename } from "node:path";
import { SourceAuthError, type Source } from "../../src/core/source.js";
import { AdminAuthError } from "../../src/io/admin-http.js";
import { OPENAI_KEY_ENV, openaiConfigSchema, type OpenAIConfig } from "./config.js";
import { collectOpenAI, docsUrl } from "./index.js";
import { looksLikeMemberCsv, readMemberCsv } from "./members.js";

const settings = {
  key: "openai",
  schema: openaiConfigSchema,
  description: "OpenAI Admin API and ChatGPT member exports: baseUrl (proxy), organization and chatgptWorkspace labels, pageSize, initialDays",
} as const;

export const openaiSource: Source = {
  id: "openai",
  displayName: "OpenAI organisation (live, Admin API)",
  description: "scan an OpenAI organisation through the Admin API: users, invites, projects, service accounts, API and admin keys, audit log, usage per day",
  docsUrl,
  kind: "live",
  observationSources: ["openai"],
  settings,
  credentials: [{ env: OPENAI_KEY_ENV, secret: true, description: "an OpenAI Admin API key (sk-admin-…), made by an organisation owner; read-only use" }],
  enabled: (_s, env) => Boolean(env[OPENAI_KEY_ENV]?.trim()),
  async *collect(_inputs, ctx) {
    const key = process.env[OPENAI_KEY_ENV]?.trim();
    if (!key) throw new SourceAuthError(`${OPENAI_KEY_ENV} is not set: scan openai needs an OpenAI Admin API key`);
    yield* collectOpenAI({ key, ...(ctx.settings ? { config: ctx.settings as OpenAIConfig } : {}) }, ctx);
  },
  isAuthError: (e) => e instanceof AdminAuthError,
};

export const chatgptMembersSource: Source = {
  id: "chatgpt-members",
  displayName: "ChatGPT Business/Team member export (CSV)",
  description: "scan member lists exported from ChatGPT Business/Team workspaces (CSV with Email, Name, Role, Status)",
  docsUrl: "https://help.openai.com/en/articles/8792828",
  kind: "file",
  observationSources: ["chatgpt-members"],
  configKey: "chatgptMembers",
  settings,
  credentials: [],
  perFile: true,
  accept: (n) => /\.csv$/i.test(n),
  sniff: (head) => looksLikeMemberCsv(head.text),
  // eslint-disable-next-line require-yield
  async *collect(files, ctx) {
    const cfg = (ctx.settings ?? {}) as OpenAIConfig;
    const org = cfg.chatgptWorkspace ?? "chatgpt";
    for (const f of files) {
      let errors = 0;
      const seats = await readMemberCsv(f, (e) => { errors++; ctx.onError(e); });
      ctx.rosters?.put({ vendor: "openai", org, source: `chatgpt-members:${basename(f).slice(0, 100)}`, principals: seats });
      // a clean export lists every member: seats it no longer lists are gone
      if (errors === 0) ctx.rosters?.complete("openai", org, "seats");
    }
  },
};
