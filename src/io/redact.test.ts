import { describe, expect, it } from "vitest";
import { environmentSecrets, redact } from "./redact.js";
// the registry adds every source's secret credential variables to the redaction list
import "../../collectors/registry.js";

describe("redact", () => {
  it("removes known secrets, bearer tokens and JWTs", () => {
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbkBleGFtcGxlLmNvbSJ9.c2lnbmF0dXJl";
    const t = redact(`401 for token ya29.secretvalue123 (Authorization: Bearer abcdefgh12345678) assertion=${jwt}`, ["ya29.secretvalue123"]);
    expect(t).toBe("401 for token [redacted] (Authorization: Bearer [redacted]) assertion=[redacted]");
  });

  it("reads the secret environment variables, ignoring short or unset ones", () => {
    expect(environmentSecrets({ SHADOW_AI_GRAPH_ACCESS_TOKEN: "graph-token-value", AZURE_CLIENT_SECRET: "short", PATH: "/usr/bin" })).toEqual(["graph-token-value"]);
  });
});

describe("secrets in every form they take on the wire", () => {
  it("redacts raw, URL-encoded (both hex cases, form +), JSON-escaped and base64 forms of secrets with ~ + / = %", async () => {
    const { redact: r, secretForms } = await import("./redact.js");
    const secrets = ["FAKE~azure+secret/with=sign%41", "p@ss word/\"quoted\"+~"];
    for (const s of secrets) {
      const forms = secretForms(s);
      expect(forms).toContain(s);
      expect(forms).toContain(encodeURIComponent(s));
      expect(forms).toContain(Buffer.from(s).toString("base64"));
      for (const f of forms) {
        const out = r(`token endpoint said: client_id=x&secret=${f}&grant_type=client_credentials`, secrets);
        expect(out, f).not.toContain(f);
        expect(out).toContain("[redacted]");
      }
    }
    expect(r("echo: client_secret=FAKE~azure%2Bsecret%2Fwith%3Dsign%2541&scope=x", secrets)).not.toMatch(/FAKE/);
    expect(r("Authorization: Basic dXNlcjpwYXNzd29yZA==", [])).toBe("Authorization: Basic [redacted]");
    expect(r("nothing secret here: 1234567890", secrets)).toBe("nothing secret here: 1234567890");
  });
});
