import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import { pcapCollector, extractCapture, id } from "./index.js";

const FIXTURES = join(fileURLToPath(new URL(".", import.meta.url)), "__fixtures__");
const fixture = (name: string): string => join(FIXTURES, name);

describe("pcap collector on tool-made fixtures", () => {
  it("exports the collector metadata", () => {
    expect(id).toBe("pcap");
    expect(pcapCollector.id).toBe("pcap");
    expect(pcapCollector.docsUrl).toMatch(/^https:\/\//);
  });

  // sample.pcap: written with __fixtures__/craft.ts; sample-ns.pcap, sample.pcapng and
  // sample.pcapng.gz: the same packets through `editcap -F nsecpcap`, `editcap -F pcapng`, `gzip`.
  // tshark 4.0.17 reads from all of them: frame 1 and 2 dns.qry.name api.openai.com, frame 3 SNI
  // api.anthropic.com (ALPN h2,http/1.1, VLAN 42 in 802.1ad 100), frame 4 http.host
  // API.Example.COM:8080, frame 5 dns.qry.name chat.openai.com (IPv6).
  for (const name of ["sample.pcap", "sample-ns.pcap", "sample.pcapng", "sample.pcapng.gz"]) {
    it(`reads ${name} by its magic bytes`, async () => {
      const { observations, errors } = await extractCapture(fixture(name));
      expect(errors).toEqual([]);
      expect(observations.map((o) => [o.ref.frame, o.kind, o.host])).toEqual([
        [1, "dns", "api.openai.com"],
        [2, "dns", "api.openai.com"],
        [3, "tls", "api.anthropic.com"],
        [4, "http", "API.Example.COM:8080"],
        [5, "dns", "chat.openai.com"],
      ]);
      expect(observations.map((o) => o.time)).toEqual([
        "2026-01-01T00:00:00.123Z",
        "2026-01-01T00:00:00.130Z",
        "2026-01-01T00:00:01.999Z",
        "2026-01-01T00:00:02.000Z",
        "2026-01-01T00:00:03.000Z",
      ]);
      for (const o of observations) {
        expect(o.source).toBe("pcap");
        expect(o.ref.file).toBe(fixture(name));
      }
    });
  }

  it("fills every field the contract names", async () => {
    const { observations } = await extractCapture(fixture("sample.pcap"));
    const [query, response, hello, http, v6] = observations;
    expect(query).toEqual({
      source: "pcap",
      kind: "dns",
      time: "2026-01-01T00:00:00.123Z",
      client: "192.168.1.10",
      server: "192.168.1.1",
      port: 53,
      host: "api.openai.com",
      qtype: "A",
      response: false,
      ref: { file: fixture("sample.pcap"), frame: 1, offset: 24 },
    });
    expect(response).toMatchObject({ client: "192.168.1.10", server: "192.168.1.1", response: true, answers: ["edge.example.net", "104.18.6.192"] });
    expect(hello).toMatchObject({ kind: "tls", client: "192.168.1.10", server: "160.79.104.10", port: 443, alpn: ["h2", "http/1.1"] });
    expect(http).toMatchObject({ method: "GET", path: "/v1/models?limit=5", userAgent: "curl/8.5.0", port: 8080 });
    expect(v6).toMatchObject({ client: "2001:db8::1", server: "2001:db8::35", qtype: "AAAA" });
    // Each offset points at the record's 16-byte header, whose first field is the time in seconds.
    const file = readFileSync(fixture("sample.pcap"));
    for (const o of observations) expect(file.readUInt32LE(o.ref.offset!)).toBe(Math.floor(Date.parse(o.time) / 1000));
    expect(observations[1]!.ref.offset).toBe(24 + 16 + file.readUInt32LE(24 + 8));
  });

  it("reads a pcapng with two interfaces of different link types and resolutions, and a second big-endian section", async () => {
    // two-interfaces.pcapng (craft.ts): section 1 little-endian with interface 0 Ethernet (µs) and
    // interface 1 raw IP (if_tsresol 9 = ns, if_tsoffset 1000 s), a local block to skip, a simple
    // packet block; section 2 big-endian with interface 0 LINUX_SLL2 at if_tsresol 0x83 (1/8 s).
    // tshark: frame.time_epoch 1767225600.123456, 1767225600.987654321, (none), 1767225600.5.
    const { observations, errors } = await extractCapture(fixture("two-interfaces.pcapng"));
    expect(errors).toEqual([]);
    expect(observations.map((o) => [o.ref.frame, o.ref.offset, o.kind, o.host, o.time])).toEqual([
      [1, 92, "dns", "api.openai.com", "2026-01-01T00:00:00.123Z"],
      [2, 232, "dns", "raw.example", "2026-01-01T00:00:00.987Z"],
      [3, 324, "http", "API.Example.COM:8080", "1970-01-01T00:00:00.000Z"], // simple packet blocks carry no time
      [4, 556, "tls", "sll2.example", "2026-01-01T00:00:00.500Z"],
    ]);
    expect(observations[1]!.qtype).toBe("HTTPS");
  });

  it("reports a missing file without throwing", async () => {
    const { observations, errors } = await extractCapture(fixture("no-such-file.pcap"));
    expect(observations).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ input: fixture("no-such-file.pcap"), partial: false });
    expect(errors[0]!.message).toMatch(/ENOENT/);
  });
});
