/**
 * Test-only TLS for the local identity API servers (Google and Microsoft Graph).
 *
 * {@link makeTestCert} makes a self-signed certificate for 127.0.0.1 with `openssl` in a temp
 * directory. A client trusts it either the production way, `NODE_EXTRA_CA_CERTS=<certFile>` in the
 * environment of a process started afterwards (Node reads that variable once, at start-up, so a
 * vitest worker that is already running cannot set it for itself), or, inside a running test
 * process, with {@link trustTestCert}: it adds the certificate to every TLS client context Node
 * creates from then on, which is what NODE_EXTRA_CA_CERTS does at start-up. Both reach the same
 * SDK code: gaxios (node-fetch over node:https), the Graph client (global fetch, undici) and
 * @azure/identity (node:https) all build their TLS contexts through `tls.createSecureContext`.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";

export interface TestCert {
  dir: string;
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
  /** Remove the temp directory. */
  dispose(): void;
}

/** A fresh self-signed P-256 certificate for `127.0.0.1` and `localhost`, valid two days. */
export function makeTestCert(): TestCert {
  const dir = mkdtempSync(join(tmpdir(), "shadow-ai-tls-"));
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", keyFile, "-out", certFile, "-days", "2", "-subj", "/CN=127.0.0.1",
      "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
    ],
    { stdio: "ignore" },
  );
  return {
    dir, certFile, keyFile, cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8"),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const original = tls.createSecureContext;

/**
 * Trust `certPem` in this process, as NODE_EXTRA_CA_CERTS would have at start-up: every TLS
 * context created afterwards (node:https agents, undici's fetch) also accepts it. The public
 * roots stay trusted. Returns a function that undoes it.
 */
export function trustTestCert(certPem: string): () => void {
  tls.createSecureContext = (options?: tls.SecureContextOptions) => {
    const ctx = original(options);
    (ctx.context as { addCACert(pem: string): void }).addCACert(certPem);
    return ctx;
  };
  return () => {
    tls.createSecureContext = original;
  };
}
