/**
 * Types for `dns-packet/types.js` (dns-packet 5.6.1), which `@types/dns-packet` does not declare:
 * the record-type number <-> mnemonic table.
 */
declare module "dns-packet/types.js" {
  /** Mnemonic of a record type (`A`, `AAAA`, ...) or `UNKNOWN_<n>`. */
  export function toString(type: number): string;
  /** Number of a mnemonic; `UNKNOWN_<n>` gives n; 0 when unknown. */
  export function toType(name: string): number;
}
