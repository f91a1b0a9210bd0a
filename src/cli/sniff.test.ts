import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sniffFormat } from "./sniff.js";

const dir = mkdtempSync(join(tmpdir(), "shadow-ai-sniff-"));
const file = (name: string, data: Buffer | string) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};

describe("sniffFormat tells inputs apart by content, not by name", () => {
  it.each([
    ["pcap-le.json", Buffer.from("d4c3b2a1020004000000", "hex"), "capture"],
    ["pcap-ns.bin", Buffer.from("a1b23c4d00020004", "hex"), "capture"],
    ["x.txt", Buffer.from("0a0d0d0a1c0000004d3c2b1a", "hex"), "capture"],
    ["x.gz", Buffer.from("1f8b0800", "hex"), "capture"],
    ["graph.pcap", '{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#servicePrincipals","value":[]}', "microsoft"],
    ["bom.json", "\ufeff" + '{"@odata.context":"x#oauth2PermissionGrants","value":[]}', "microsoft"],
    ["ps.json", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('[{"ClientId":"a","ConsentType":"Principal"}]', "utf16le")]), "microsoft"],
    ["alice@example.com.json", '{"kind":"admin#directory#tokenList","items":[]}', "google"],
    ["whole.json", '[{"user":"a@b.c","items":[{"clientId":"1-a.apps.googleusercontent.com","displayText":"X"}]}]', "google"],
    ["other.json", '{"hello":"world"}', "unknown"],
    ["text.pcap", "GET / HTTP/1.1\r\n", "unknown"],
    ["empty.pcap", "", "unknown"],
  ])("%s", async (name, data, want) => {
    expect(await sniffFormat(file(name, data))).toBe(want);
  });

  it("says unknown for a missing file", async () => {
    expect(await sniffFormat(join(dir, "missing"))).toBe("unknown");
  });
});
