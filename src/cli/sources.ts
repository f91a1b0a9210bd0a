/**
 * The evidence sources the CLI can scan, by name, each bound to its collector.
 */
import type { CollectContext } from "../core/collector.js";
import type { Observation } from "../core/observation.js";
import * as pcap from "../../collectors/pcap/index.js";
import * as google from "../../collectors/google-workspace/index.js";
import * as microsoft from "../../collectors/microsoft-entra/index.js";

export interface Source {
  description: string;
  /** True when each file is an independent input (captures); false when files belong together (API pages). */
  perFile: boolean;
  /** Which directory entries to pick up when a directory is given. */
  accept: (name: string) => boolean;
  collect(files: string[], ctx: CollectContext): AsyncIterable<Observation>;
}

const json = (n: string) => /\.json$/i.test(n);

export const SOURCES = {
  pcap: {
    description: "scan packet captures (pcap, pcapng; chosen by magic bytes)",
    perFile: true,
    accept: (n: string) => /\.(pcap|pcapng|cap|dmp)(\.gz)?$/i.test(n),
    collect: (files: string[], ctx: CollectContext) => pcap.collect(files[0]!, ctx),
  },
  "google-export": {
    description: "scan Google Admin SDK responses saved as JSON (tokens.list, users.list, activities.list)",
    perFile: false,
    accept: json,
    collect: (files: string[], ctx: CollectContext) => google.collectExport(files, ctx),
  },
  "microsoft-export": {
    description: "scan Microsoft Graph responses saved as JSON (servicePrincipals, oauth2PermissionGrants, users)",
    perFile: false,
    accept: json,
    collect: (files: string[], ctx: CollectContext) => microsoft.collectExport(files, ctx),
  },
} satisfies Record<string, Source>;

export type SourceName = keyof typeof SOURCES;
