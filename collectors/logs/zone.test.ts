import { describe, expect, it } from "vitest";
import { isoFromLocal, isoFromRfc3339, isoFromUtc } from "./common/index.js";
import { isTimeZone, zonedTimeToMs, zoneOffsetMs } from "./zone.js";

const iso = (t: number) => new Date(t).toISOString();

describe("zonedTimeToMs", () => {
  it("reads ordinary wall-clock times with the zone's offset of the day", () => {
    expect(iso(zonedTimeToMs("Europe/Berlin", 2026, 0, 15, 12, 0, 0))).toBe("2026-01-15T11:00:00.000Z"); // CET
    expect(iso(zonedTimeToMs("Europe/Berlin", 2026, 6, 15, 12, 0, 0))).toBe("2026-07-15T10:00:00.000Z"); // CEST
    expect(iso(zonedTimeToMs("Asia/Kolkata", 2026, 10, 22, 9, 30, 15, 250))).toBe("2026-11-22T04:00:15.250Z"); // +05:30
    expect(iso(zonedTimeToMs("UTC", 2026, 10, 22, 9, 30, 0))).toBe("2026-11-22T09:30:00.000Z");
    expect(iso(zonedTimeToMs("Australia/Lord_Howe", 2026, 0, 10, 12, 0, 0))).toBe("2026-01-10T01:00:00.000Z"); // +11:00 in summer
  });

  it("New York's spring-forward night: 01:30 EST, the skipped 02:30 with the old offset, 03:30 EDT", () => {
    expect(iso(zonedTimeToMs("America/New_York", 2026, 2, 8, 1, 30, 0))).toBe("2026-03-08T06:30:00.000Z");
    expect(iso(zonedTimeToMs("America/New_York", 2026, 2, 8, 2, 30, 0))).toBe("2026-03-08T07:30:00.000Z");
    expect(iso(zonedTimeToMs("America/New_York", 2026, 2, 8, 3, 30, 0))).toBe("2026-03-08T07:30:00.000Z");
  });

  it("New York's fall-back night: the repeated 01:30 is the first one (EDT); 02:30 is EST", () => {
    expect(iso(zonedTimeToMs("America/New_York", 2026, 10, 1, 0, 30, 0))).toBe("2026-11-01T04:30:00.000Z");
    expect(iso(zonedTimeToMs("America/New_York", 2026, 10, 1, 1, 30, 0))).toBe("2026-11-01T05:30:00.000Z");
    expect(iso(zonedTimeToMs("America/New_York", 2026, 10, 1, 2, 30, 0))).toBe("2026-11-01T07:30:00.000Z");
  });

  it("offsets by instant, from the platform's zone data", () => {
    expect(zoneOffsetMs("America/New_York", Date.UTC(2026, 0, 1))).toBe(-5 * 3600_000);
    expect(zoneOffsetMs("America/New_York", Date.UTC(2026, 6, 1))).toBe(-4 * 3600_000);
    expect(zoneOffsetMs("Asia/Kathmandu", Date.UTC(2026, 6, 1))).toBe(5.75 * 3600_000);
  });

  it("knows IANA names and nothing else", () => {
    expect(isTimeZone("Europe/Berlin")).toBe(true);
    expect(isTimeZone("UTC")).toBe(true);
    expect(isTimeZone("Mars/Olympus_Mons")).toBe(false);
    expect(isTimeZone("")).toBe(false);
  });
});

describe("zone-less log times with logs.timeZone", () => {
  it("local times (BIND, PAN-OS, syslog) and UTC-default times (Zscaler, generic) both follow the zone", () => {
    expect(isoFromLocal(2018, 10, 30, 16, 9, 7, 0, "America/Los_Angeles")).toBe("2018-12-01T00:09:07.000Z");
    expect(isoFromUtc(2022, 5, 20, 15, 29, 11, 0, "Europe/Paris")).toBe("2022-06-20T13:29:11.000Z");
    expect(isoFromUtc(2022, 5, 20, 15, 29, 11)).toBe("2022-06-20T15:29:11.000Z");
    expect(isoFromLocal(2026, 1, 31, 10, 0, 0, 0, "Europe/Berlin")).toBeUndefined(); // 31 February
  });

  it("RFC 3339 text: an explicit offset wins; without one, the zone", () => {
    expect(isoFromRfc3339("2026-07-01 08:00:00", "Europe/Berlin")).toBe("2026-07-01T06:00:00.000Z");
    expect(isoFromRfc3339("2026-07-01T08:00:00.5", "Europe/Berlin")).toBe("2026-07-01T06:00:00.500Z");
    expect(isoFromRfc3339("2026-07-01T08:00:00Z", "Europe/Berlin")).toBe("2026-07-01T08:00:00.000Z");
    expect(isoFromRfc3339("2026-07-01T08:00:00+01:00", "Europe/Berlin")).toBe("2026-07-01T07:00:00.000Z");
    expect(isoFromRfc3339("2026-07-01", "Europe/Berlin")).toBe("2026-06-30T22:00:00.000Z");
    expect(isoFromRfc3339("2026-07-01T08:00:00")).toBe("2026-07-01T08:00:00.000Z");
  });
});
