// Test-only child process: the same SDK calls as live.ts (googleapis over google-auth-library), with
// TLS trust coming only from NODE_EXTRA_CA_CERTS, as in production behind a TLS-inspecting proxy.
// Usage: node extra-ca-child.mjs ROOT_URL   (token in SHADOW_AI_GOOGLE_ACCESS_TOKEN)
import { admin } from "@googleapis/admin";
import { OAuth2Client } from "google-auth-library";

const rootUrl = process.argv[2];
const auth = new OAuth2Client();
auth.setCredentials({ access_token: process.env.SHADOW_AI_GOOGLE_ACCESS_TOKEN });
const directory = admin({ version: "directory_v1", auth, retry: false });
try {
  const users = await directory.users.list({ customer: "my_customer", maxResults: 500 }, { rootUrl });
  const emails = users.data.users.map((u) => u.primaryEmail);
  const tokens = await directory.tokens.list({ userKey: emails[0] }, { rootUrl });
  process.stdout.write(JSON.stringify({ users: emails, tokens: tokens.data.items.map((t) => t.displayText) }));
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.exitCode = 1;
}
