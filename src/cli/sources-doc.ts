/**
 * README's table of sources, generated from the registry (`npm run docs` writes it between the
 * `<!-- sources:start -->` and `<!-- sources:end -->` markers; a test fails when README is behind).
 */
import { sourceInfos } from "./sources.js";

/** Markdown table of every registered source: id, kind, what it reads, config key, credentials, docs. */
export function sourcesMarkdown(): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  const rows = sourceInfos({}).map((s) =>
    [
      `\`${s.id}\``,
      s.kind,
      esc(s.description),
      s.configKey ? `\`sources.${s.configKey}\`` : s.settingsKey ? `\`${s.settingsKey}:\`` : "-",
      s.credentials.length ? s.credentials.map((c) => `\`${c.env}\`${c.secret ? " (secret)" : ""}`).join(", ") : "-",
      `[docs](${s.docsUrl})`,
    ].join(" | "),
  );
  return ["| source | kind | reads | shadow-ai.yaml | environment | spec |", "| --- | --- | --- | --- | --- | --- |", ...rows.map((r) => `| ${r} |`)].join("\n");
}

/** README text with the generated table between the markers; throws when the markers are missing. */
export function withSourcesTable(readme: string): string {
  const start = "<!-- sources:start -->";
  const end = "<!-- sources:end -->";
  const a = readme.indexOf(start);
  const b = readme.indexOf(end);
  if (a < 0 || b < a) throw new Error(`README has no ${start} ... ${end} markers`);
  return `${readme.slice(0, a + start.length)}\n${sourcesMarkdown()}\n${readme.slice(b)}`;
}
