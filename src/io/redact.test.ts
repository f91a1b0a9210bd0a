import { describe, expect, it } from "vitest";
import { environmentSecrets, redact } from "./redact.js";

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
