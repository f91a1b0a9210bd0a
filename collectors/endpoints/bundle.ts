/**
 * The endpoint bundle: what `collect-endpoint` writes for one user on one host, and `scan endpoints`
 * reads. JSON, one object, `format` = "shadow-ai-endpoint-bundle", `version` = 1 (a reader refuses
 * other versions with a message naming the file).
 *
 * ```
 * { format, version: 1, collectedAt: ISO 8601 UTC,
 *   host: { name, os: "darwin"|"linux"|"win32"|"unknown" }, user, home,
 *   secretHash: { algorithm: "HMAC-SHA256/128", keySource: "env"|"random", keyId },
 *   agents:  [ { client, kind, file } ],                        // clients present for this user
 *   servers: [ { client, file, scope: "user"|"project"|"local", project?, name,
 *                transport: "stdio"|"http"|"sse", command?, args?, url?,
 *                package?: { ecosystem, name, version?, pinned },
 *                env: [ { name, literal, secret, hash?, reference? } ], headers: [ same ],
 *                disabled?, flags: [ "plaintext-secret"|"plain-http"|"unpinned"|"broad-access" ] } ],
 *   problems: [ { path, reason } ] }                            // what could not be read, and why
 * ```
 * No value of an environment variable or header is in it, nor any argument or URL part that looks
 * like a credential (collectors/endpoints/secrets.ts).
 */
import { z } from "zod";

export const BUNDLE_FORMAT = "shadow-ai-endpoint-bundle";
export const BUNDLE_VERSION = 1;

const str = (max: number) => z.string().max(max);
const secretRef = z.object({
  name: str(200), literal: z.boolean(), secret: z.boolean(), hash: z.string().regex(/^[0-9a-f]{32}$/).optional(), reference: str(200).optional(),
}).strict();
const FLAGS = ["plaintext-secret", "plain-http", "unpinned", "broad-access"] as const;

export const bundleSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  version: z.literal(BUNDLE_VERSION),
  collectedAt: z.iso.datetime(),
  host: z.object({ name: str(255).min(1), os: z.enum(["darwin", "linux", "win32", "unknown"]) }).strict(),
  user: str(255).min(1),
  home: str(4096),
  secretHash: z.object({ algorithm: z.literal("HMAC-SHA256/128"), keySource: z.enum(["env", "random"]), keyId: z.string().regex(/^[0-9a-f]{16}$/) }).strict(),
  agents: z.array(z.object({ client: str(40), kind: z.enum(["desktop", "cli", "ide", "model-runner"]), file: str(4096) }).strict()).max(1000),
  servers: z.array(z.object({
    client: str(40), file: str(4096), scope: z.enum(["user", "project", "local"]), project: str(4096).optional(), name: str(200),
    transport: z.enum(["stdio", "http", "sse"]), command: str(4096).optional(), args: z.array(str(4200)).max(500).optional(), url: str(2048).optional(),
    package: z.object({ ecosystem: z.enum(["npm", "pypi", "docker"]), name: str(300), version: str(200).optional(), pinned: z.boolean() }).strict().optional(),
    env: z.array(secretRef).max(500), headers: z.array(secretRef).max(500), disabled: z.boolean().optional(), flags: z.array(z.enum(FLAGS)),
  }).strict()).max(20000),
  problems: z.array(z.object({ path: str(4096), reason: str(2000) }).strict()).max(10000),
}).strict();

export type Bundle = z.infer<typeof bundleSchema>;
export type BundleServer = Bundle["servers"][number];
