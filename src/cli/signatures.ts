/**
 * `signatures list | show ID`: the catalogue, for people and scripts.
 */
import type { Command } from "commander";
import { catalogue, printJson, type GlobalOptions } from "./context.js";
import { CliError, EXIT } from "./exit-codes.js";
import { cell, table } from "./terminal.js";

export function registerSignatures(program: Command): void {
  const sig = program.command("signatures").description("the AI service catalogue");

  sig
    .command("list")
    .description("list every signature")
    .option("--json", "print JSON")
    .action((opts: { json?: boolean }, cmd: Command) => {
      const { signatures } = catalogue(cmd.optsWithGlobals<GlobalOptions>());
      const list = signatures.map(({ service: s }) => ({
        id: s.id, name: s.name, vendor: s.vendor, category: s.category, tier: s.euAiAct.tier, domains: s.match.domains.length, file: s.file,
      }));
      if (opts.json) printJson(list);
      else {
        process.stdout.write(table(["ID", "Name", "Vendor", "Category", "EU AI Act", "Domains"], list.map((s) => [s.id, s.name, s.vendor, s.category, s.tier, s.domains])) + "\n");
        process.stdout.write(`${list.length} signature(s)\n`);
      }
    });

  sig
    .command("show")
    .description("show one signature")
    .argument("<id>", "signature id")
    .option("--json", "print JSON")
    .action((id: string, opts: { json?: boolean }, cmd: Command) => {
      const { signatures } = catalogue(cmd.optsWithGlobals<GlobalOptions>());
      const found = signatures.find((s) => s.service.id === id);
      if (!found) throw new CliError(`no signature with id "${id}"`, EXIT.NOT_FOUND);
      const s = found.service;
      if (opts.json) return printJson(found.raw);
      const lines = [
        `${s.name} (${s.id})`,
        `  vendor:      ${s.vendor}${s.vendorFacts.hqCountry ? ` (${s.vendorFacts.hqCountry})` : ""}`,
        `  category:    ${s.category}`,
        `  EU AI Act:   ${s.euAiAct.tier} — ${s.euAiAct.articles.join(", ")}`,
        `  rationale:   ${s.euAiAct.rationale.trim()}`,
        `  domains:     ${s.match.domains.join(", ") || "-"}`,
        `  client IDs:  ${s.match.oauthClientIds.join(", ") || "-"}`,
        `  Entra apps:  ${s.match.entraAppIds.join(", ") || "-"}`,
        `  app names:   ${s.match.appNamePatterns.join("  ") || "-"}`,
        `  trains on customer data: ${s.vendorFacts.trainsOnCustomerData ?? "unknown"}`,
        `  references:  ${s.references.join(" ")}`,
        `  validated:   ${s.lastValidated}   file: ${s.file}`,
      ];
      process.stdout.write(lines.map((l) => cell(l, 400)).join("\n") + "\n");
    });
}
