import { describe, expect, it } from "vitest";

import { clientHelloMessage, cryptoFrame, echOuter, protectLongHeader, quicInitial, u16, u32, u8, varint } from "./__fixtures__/craft.js";
import { QUIC_V1, QUIC_V2, QuicInitials, clientInitialKeys, hkdfExpandLabel, hkdfExtract, initialSalt, looksLikeQuic, parseChlo } from "./quic.js";
import type { At, QuicHello } from "./quic.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

// RFC 9001 Appendix A (https://www.rfc-editor.org/rfc/rfc9001#appendix-A) and RFC 9369 Appendix A
// (https://www.rfc-editor.org/rfc/rfc9369#appendix-A): the client's first Initial packet with
// DCID 8394c8f03e515708, packet number 2, one CRYPTO frame holding a ClientHello for example.com
// (ALPN "alpn"), padded to a 1162-byte payload.
const DCID = hex("8394c8f03e515708");
const A2_CRYPTO_FRAME = hex(`
  060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868
  04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578
  616d706c652e636f6dff01000100000a00080006001d00170018001000070005
  04616c706e000500050100000000003300260024001d00209370b2c9caa47fba
  baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400
  0d0010000e0403050306030203080408050806002d00020101001c0002400100
  3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000
  75300901100f088394c8f03e51570806048000ffff`);
const A2_PAYLOAD = Buffer.concat([A2_CRYPTO_FRAME, Buffer.alloc(1162 - A2_CRYPTO_FRAME.length)]);

const AT: At = { frame: 1, offset: 24, timeMs: 0 };

function feed(q: QuicInitials, datagram: Buffer, frame = 1, client = "10.0.0.1", sport = 50000): QuicHello | null {
  return q.datagram(datagram, 0, datagram.length, client, sport, "10.0.0.2", 443, { frame, offset: 24 * frame, timeMs: frame });
}

describe("QUIC Initial keys (RFC 9001 A.1, RFC 9369 A.1)", () => {
  it("derives the v1 client Initial secrets and keys from the DCID", () => {
    const initial = hkdfExtract(initialSalt(QUIC_V1)!, DCID);
    expect(initial.toString("hex")).toBe("7db5df06e7a69e432496adedb00851923595221596ae2ae9fb8115c1e9ed0a44");
    expect(hkdfExpandLabel(initial, "client in", 32).toString("hex")).toBe("c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea");
    const k = clientInitialKeys(QUIC_V1, DCID)!;
    expect([k.key, k.iv, k.hp].map((b) => b.toString("hex"))).toEqual([
      "1f369613dd76d5467730efcbe3b1a22d",
      "fa044b2f42a3fd3b46fb255c",
      "9f50449e04a0e810283a1e9933adedd2",
    ]);
  });

  it("derives the v2 client keys with the v2 salt and labels", () => {
    const initial = hkdfExtract(initialSalt(QUIC_V2)!, DCID);
    expect(hkdfExpandLabel(initial, "client in", 32).toString("hex")).toBe("14ec9d6eb9fd7af83bf5a668bc17a7e283766aade7ecd0891f70f9ff7f4bf47b");
    const k = clientInitialKeys(QUIC_V2, DCID)!;
    expect([k.key, k.iv, k.hp].map((b) => b.toString("hex"))).toEqual([
      "8b1a0bc121284290a29e0971b5cd045d",
      "91f73e2351d8fa91660e909f",
      "45b95e15235d6f45a6b19cbcb0294ba9",
    ]);
  });

  it("knows the salts of the drafts and Google's versions, not others", () => {
    expect(initialSalt(0xff00001d)!.toString("hex")).toBe("afbfec289993d24c9e9786f19c6111e04390a899"); // draft-29
    expect(initialSalt(0xff000017)!.toString("hex")).toBe("c3eef712c72ebb5a11a7d2432bb46365bef9f502"); // draft-23
    expect(initialSalt(0xfaceb001)!.toString("hex")).toBe("7fbcdb0e7c66bbe9193a96cd21519ebd7a02644a"); // mvfst (draft-22)
    expect(initialSalt(0x0a0a0a0a)).toBe(initialSalt(0xff00001d)); // version-negotiation grease: as draft-29
    expect(initialSalt(0xff000014)).toBeNull(); // draft-20
    expect(initialSalt(0x12345678)).toBeNull();
  });
});

describe("QUIC Initial packets", () => {
  it("protects and decrypts the RFC 9001 A.2 client Initial: SNI and ALPN", () => {
    const keys = clientInitialKeys(QUIC_V1, DCID)!;
    const packet = protectLongHeader(keys, hex("c300000001088394c8f03e5157080000449e00000002"), A2_PAYLOAD, 2, 4);
    expect(packet.length).toBe(1200);
    // The RFC's protected packet: its first 32 bytes and its last 48 (ciphertext and tag).
    expect(packet.subarray(0, 32).toString("hex")).toBe("c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11");
    expect(packet.subarray(1200 - 48).toString("hex")).toBe(
      "7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241e221af44860018ab0856972e194cd934",
    );
    expect(looksLikeQuic(packet, 0, packet.length)).toBe(true);
    const r = feed(new QuicInitials(), packet);
    expect(r).toMatchObject({ version: QUIC_V1, client: "10.0.0.1", server: "10.0.0.2", port: 443, frame: 1, hello: { sni: "example.com", alpn: ["alpn"] } });
  });

  it("protects and decrypts the RFC 9369 A.2 (QUIC v2) client Initial", () => {
    const keys = clientInitialKeys(QUIC_V2, DCID)!;
    const packet = protectLongHeader(keys, hex("d36b3343cf088394c8f03e5157080000449e00000002"), A2_PAYLOAD, 2, 4);
    expect(packet.subarray(0, 32).toString("hex")).toBe("d76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485");
    expect(packet.subarray(1200 - 16).toString("hex")).toBe("a18b2faa745b6fe189cf772a9f84cbfc");
    const r = feed(new QuicInitials(), packet);
    expect(r).toMatchObject({ version: QUIC_V2, hello: { sni: "example.com", alpn: ["alpn"] } });
    // A v1 Initial type (0b00) under the v2 version is a Retry in v2: not decrypted.
    const wrongType = protectLongHeader(keys, hex("c36b3343cf088394c8f03e5157080000449e00000002"), A2_PAYLOAD, 2, 4);
    expect(feed(new QuicInitials(), wrongType)).toBeNull();
  });

  it("gathers a ClientHello split over packets, datagrams, reordered frames and a new DCID", () => {
    const hello = clientHelloMessage("split.example", ["h3"], 2500, [echOuter()]);
    const dcid = hex("0011223344556677");
    const keys = clientInitialKeys(QUIC_V1, dcid)!;
    const a = hello.subarray(0, 1000);
    const b = hello.subarray(1000, 2000);
    const c = hello.subarray(2000);
    // Datagram 1: frames for [1000, 2000) then [0, 1000), reordered inside one packet.
    const d1 = quicInitial({ version: QUIC_V1, dcid, keys, frames: Buffer.concat([cryptoFrame(1000, b), cryptoFrame(0, a)]), padTo: 1200 });
    // Datagram 2: the rest, after the client switched to the server's connection ID; keys stay those of the first DCID.
    const d2 = quicInitial({ version: QUIC_V1, dcid: hex("aabbccdd"), keys, frames: cryptoFrame(2000, c), padTo: 1200, pn: 1 });
    const q = new QuicInitials();
    expect(feed(q, d1, 1)).toBeNull();
    const r = feed(q, d2, 2);
    expect(r).toMatchObject({ frame: 2, hello: { sni: "split.example", alpn: ["h3"], ech: true } });
    // A retransmission of the same flow is not reported again.
    expect(feed(q, d2, 3)).toBeNull();
  });

  it("steps through coalesced packets and ignores the server's Initial", () => {
    const dcid = hex("0102030405060708");
    const keys = clientInitialKeys(QUIC_V1, dcid)!;
    const handshake = Buffer.concat([u8(0xe0), u32(1), u8(8), dcid, u8(0), varint(30, 2), Buffer.alloc(30)]);
    const initial = quicInitial({ version: QUIC_V1, dcid, keys, frames: cryptoFrame(0, clientHelloMessage("coalesced.example")), padTo: 300 });
    const q = new QuicInitials();
    expect(feed(q, Buffer.concat([handshake, initial]))).toMatchObject({ hello: { sni: "coalesced.example" } });
    // The server's Initial, protected with keys from another secret, does not authenticate.
    const serverKeys = clientInitialKeys(QUIC_V1, hex("ffffffffffffffff"))!;
    const server = quicInitial({ version: QUIC_V1, dcid, keys: serverKeys, frames: cryptoFrame(0, Buffer.from("020000", "hex")), padTo: 300 });
    expect(feed(new QuicInitials(), server)).toBeNull();
  });

  it("reports a ClientHello never completed with what was gathered, at the end", () => {
    const hello = clientHelloMessage("partial.example", ["h3"], 3000);
    const dcid = hex("0807060504030201");
    const keys = clientInitialKeys(QUIC_V1, dcid)!;
    const q = new QuicInitials();
    expect(feed(q, quicInitial({ version: QUIC_V1, dcid, keys, frames: cryptoFrame(0, hello.subarray(0, 900)), padTo: 1200 }))).toBeNull();
    expect(q.drain()).toEqual([expect.objectContaining({ hello: { sni: "partial.example", alpn: ["h3"] } })]);
    expect(q.drain()).toEqual([]);
  });

  it("reads the CHLO of gQUIC in clear: SNI and user agent", () => {
    const values = [Buffer.from("chlo.example"), Buffer.from("Chrome/99")];
    let end = 0;
    const entries = [
      ["SNI\0", values[0]!],
      ["UAID", values[1]!],
    ].map(([tag, v]) => {
      end += (v as Buffer).length;
      const e = Buffer.alloc(8);
      e.write(tag as string, 0, "latin1");
      e.writeUInt32LE(end, 4);
      return e;
    });
    const chlo = Buffer.concat([Buffer.from("CHLO"), Buffer.from([2, 0, 0, 0]), ...entries, ...values]);
    // Q043 public header: flags (version + 8-byte CID + 1-byte packet number), CID, version, packet number, hash, stream frame.
    const packet = Buffer.concat([u8(0x09), Buffer.alloc(8, 0x42), Buffer.from("Q043"), u8(1), Buffer.alloc(12), Buffer.from("a001000004", "hex"), u16(chlo.length), chlo]);
    expect(parseChlo(chlo, 0, chlo.length)).toEqual({ sni: "chlo.example", userAgent: "Chrome/99" });
    expect(looksLikeQuic(packet, 0, packet.length)).toBe(true);
    expect(feed(new QuicInitials(), packet)).toMatchObject({ hello: null, chlo: { sni: "chlo.example", userAgent: "Chrome/99" } });
    // A value cut by the end of the packet is not used.
    expect(parseChlo(chlo, 0, chlo.length - 1)).toEqual({ sni: "chlo.example" });
  });

  it("never throws and never reads outside the datagram, whatever the bytes", () => {
    const keys = clientInitialKeys(QUIC_V1, DCID)!;
    const packet = protectLongHeader(keys, hex("c300000001088394c8f03e5157080000449e00000002"), A2_PAYLOAD, 2, 4);
    const q = new QuicInitials();
    for (let cut = 0; cut < packet.length; cut += 13) expect(() => feed(q, packet.subarray(0, cut))).not.toThrow();
    let seed = 7;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256;
    for (let i = 0; i < 300; i++) {
      const junk = Buffer.from(packet);
      for (let j = 0; j < 8; j++) junk[rand() * 4 + (rand() % 4)] = rand();
      expect(() => feed(q, junk, i, "10.0.0.9", 1000 + i)).not.toThrow();
    }
    expect(() => q.drain()).not.toThrow();
  });
});
