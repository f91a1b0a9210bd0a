/**
 * `--format jsonl`: any JSON lines (or a JSON array), keys named by `logs.mapping`. Never guessed:
 * JSON of unknown keys says nothing about what it holds.
 */
import type { LogFormatDefinition } from "../common/index.js";
import { JsonlParser, missingMapping } from "../common/mapping.js";

export const jsonlFormat: LogFormatDefinition = {
  name: "jsonl",
  description: "any JSON lines, keys named by logs.mapping (needs --format)",
  docsUrl: "https://jsonlines.org/",
  createParser: (ctx, options) => (options.mapping ? new JsonlParser(ctx, options.mapping) : missingMapping("jsonl")),
};
