/**
 * What every log format shares: the parser interface and format definition, time conversion,
 * request targets and addresses, bounded evidence fields and SIEM-wrapper unwrapping. Nothing
 * here knows one vendor's format.
 */
export * from "./parser.js";
export * from "./format.js";
export * from "./time.js";
export * from "./target.js";
export * from "./fields.js";
export * from "./json.js";
