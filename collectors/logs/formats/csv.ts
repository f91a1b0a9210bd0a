/**
 * `--format csv`: any CSV with a header row (or `logs.csv.columns`), its columns named by
 * `logs.mapping`. Never guessed: a CSV's layout says nothing about what it holds.
 */
import type { LogFormatDefinition } from "../common/index.js";
import { CsvParser, missingMapping } from "../common/mapping.js";

export const csvFormat: LogFormatDefinition = {
  name: "csv",
  description: "any CSV with a header row, columns named by logs.mapping (needs --format)",
  docsUrl: "https://www.rfc-editor.org/rfc/rfc4180",
  createParser: (ctx, options) => (options.mapping ? new CsvParser(ctx, options.mapping, options.csv) : missingMapping("csv")),
};
