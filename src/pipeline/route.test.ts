import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sources } from "../../collectors/registry.js";
import { routeFile } from "./route.js";

const sniffFormat = async (f: string) => {
  const r = await routeFile(f, sources());
  return r.source?.id ?? "unknown";
};

const dir = mkdtempSync(join(tmpdir(), "shadow-ai-sniff-"));
const file = (name: string, data: Buffer | string) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};

describe("routeFile tells inputs apart by content, not by name", () => {
  it.each([
    ["pcap-le.json", Buffer.from("d4c3b2a1020004000000", "hex"), "pcap"],
    ["pcap-ns.bin", Buffer.from("a1b23c4d00020004", "hex"), "pcap"],
    ["x.txt", Buffer.from("0a0d0d0a1c0000004d3c2b1a", "hex"), "pcap"],
    ["x.gz", Buffer.from("1f8b0800", "hex"), "pcap"],
    ["graph.pcap", '{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#servicePrincipals","value":[]}', "microsoft-export"],
    ["bom.json", "\ufeff" + '{"@odata.context":"x#oauth2PermissionGrants","value":[]}', "microsoft-export"],
    ["ps.json", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('[{"ClientId":"a","ConsentType":"Principal"}]', "utf16le")]), "microsoft-export"],
    ["alice@example.com.json", '{"kind":"admin#directory#tokenList","items":[]}', "google-export"],
    ["whole.json", '[{"user":"a@b.c","items":[{"clientId":"1-a.apps.googleusercontent.com","displayText":"X"}]}]', "google-export"],
    ["other.json", '{"hello":"world"}', "unknown"],
    ["text.pcap", "GET / HTTP/1.1\r\n", "unknown"],
    ["empty.pcap", "", "unknown"],
  ])("%s", async (name, data, want) => {
    expect(await sniffFormat(file(name, data))).toBe(want);
  });

  it("says unknown for a missing file, and why", async () => {
    expect(await sniffFormat(join(dir, "missing"))).toBe("unknown");
    expect(await routeFile(join(dir, "missing"), sources())).toEqual({ reason: "cannot read: ENOENT" });
  });

  it("routes a Zeek log to the logs source, and names what was expected for an empty file", async () => {
    expect(await sniffFormat(file("conn", "#separator \\x09\n#set_separator\t,\n#path\tssl\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tserver_name\n"))).toBe("logs");
    const r = await routeFile(file("empty.bin", ""), sources());
    expect(r).toEqual({ reason: "empty file" });
  });
});
