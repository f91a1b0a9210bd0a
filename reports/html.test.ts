/**
 * The HTML audit report: static checks on the markup, then the real thing in headless Chromium
 * (playwright-core driving Debian's /usr/bin/chromium; skipped with a message when it is absent):
 * hostile system names show as text and run nothing, no script element exists, nothing is fetched,
 * and a screenshot is a real PNG. Set SHADOW_AI_SCREENSHOT_DIR to keep the screenshots.
 */
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOSTILE_NAMES, hostileAudit, hostileRecords, realAudit, realInventory } from "./__fixtures__/records.js";
import { escapeHtml, inventoryHtml, REPORT_CSP } from "./html.js";
import { pseudonymizationInfo, pseudonymize } from "./pseudonymize.js";
import { visibleControls } from "./templates/markup.js";

/** Debian's chromium package; SHADOW_AI_CHROMIUM overrides the path. */
const CHROMIUM = process.env["SHADOW_AI_CHROMIUM"] ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const tool = { name: "shadow-ai", version: "0.1.0" };
const generatedAt = "2026-11-22T06:00:00.000Z";

const outDir = process.env["SHADOW_AI_SCREENSHOT_DIR"] ?? mkdtempSync(join(tmpdir(), "shadow-ai-html-"));

function hostileReport(): string {
  return inventoryHtml(hostileRecords(), { tool, generatedAt, newIds: ["hirevue@hr", "hostile-0@x", "hostile-1@x"], previousScanAt: "2026-11-20T09:00:00.000Z", audit: hostileAudit() });
}

/** The report of the real inventory with its journal and evidence sample. */
function realReport(): string {
  return inventoryHtml(realInventory().records, { tool, generatedAt, newIds: ["hirevue@hr", "read-ai@engineering"], previousScanAt: "2026-11-20T09:00:00.000Z", audit: realAudit() });
}

/** The reason the fixture gave for blocking deepseek (reports/__fixtures__/records.ts). */
const DEEPSEEK_WHY = "Blocked at the proxy; no business use";

/** Width and height from a PNG's IHDR chunk. */
function pngSize(buf: Buffer): { width: number; height: number } {
  expect(buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  expect(buf.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

describe("escapeHtml", () => {
  it("escapes the five HTML-significant characters and nothing else", () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
    expect(escapeHtml("Zürich · 日本")).toBe("Zürich · 日本");
  });
  it("shows control and bidi-override characters instead of obeying them", () => {
    expect(visibleControls("a\u202Eb\u0007c\r\n\td\u001b[31m")).toBe("a\\u{202e}b\\u{7}c\r\n\td\\u{1b}[31m");
  });
});

// the real inventory is made by scanning the examples with the built CLI: slow on a busy machine
beforeAll(() => {
  realInventory();
}, 300_000);

describe("inventoryHtml markup", () => {
  it("is one self-contained document with a strict CSP first in <head> and no script, link or remote URL", () => {
    const doc = hostileReport();
    expect(doc.startsWith("<!DOCTYPE html>")).toBe(true);
    const head = doc.slice(doc.indexOf("<head>"), doc.indexOf("</head>"));
    expect(head.indexOf('<meta http-equiv="Content-Security-Policy"')).toBeLessThan(head.indexOf("<title>"));
    expect(head).toContain(`content="${escapeHtml(REPORT_CSP)}"`);
    expect(REPORT_CSP).toMatch(/^default-src 'none'; style-src 'unsafe-inline'; img-src data:/);
    expect(doc).not.toMatch(/<script|<link|<iframe|<object|<embed|<img|<base/i);
    expect(doc).not.toMatch(/(src|href)="(https?:)?\/\//i);
    // no attribute on any tag is an event handler
    expect(doc.match(/<[a-z][^>]*\son[a-z]+\s*=/gi)).toBeNull();
  });

  it("escapes every hostile string", () => {
    const doc = hostileReport();
    for (const h of HOSTILE_NAMES) expect(doc).toContain(escapeHtml(visibleControls(h)));
    expect(doc).not.toContain("<img src=x");
    expect(doc).not.toContain("</style><style>");
    expect(doc).not.toContain('"><script>');
  });

  it("has a table of contents that links every system, and per-class filter targets", () => {
    const { records } = realInventory();
    const doc = realReport();
    const nav = doc.slice(doc.indexOf('<nav class="card" id="contents"'), doc.indexOf("</nav>"));
    const articleIds = [...doc.matchAll(/<article class="system[^"]*" id="([^"]+)"/g)].map((m) => m[1]);
    expect(articleIds).toHaveLength(records.length);
    for (const id of articleIds) expect(nav).toContain(`href="#${id}"`);
    for (const r of records) expect(nav).toContain(escapeHtml(r.id));
    for (const t of new Set(records.map((r) => r.classification.tier))) {
      expect(nav).toContain(`href="#only-${t}"`);
      expect(doc).toContain(`<i class="only" id="only-${t}"></i>`);
    }
  });

  it("shows each system's journal (who, when, field, old, new, why) and an evidence sample with raw references", () => {
    const doc = realReport();
    const deepseek = doc.slice(doc.indexOf("Record <code>deepseek</code>"));
    const section = deepseek.slice(0, deepseek.indexOf("</article>"));
    expect(section).toMatch(/<table class="journal">[\s\S]*auditor[\s\S]*status[\s\S]*unreviewed[\s\S]*blocked[\s\S]*Blocked at the proxy; no business use/);
    expect(section).toMatch(/<table class="evidence">/);
    // a record found in a capture: the sample names the capture file, the frame and the byte offset
    expect(doc).toMatch(/office-clients\.pcap frame \d+ offset \d+|browser\.pcapng frame \d+ offset \d+/);
    // a record from an export: the API and its record id
    expect(doc).toMatch(/<td class="mono">[^<]*\bid [^<]+<\/td>/);
  });

  it("says when there is no earlier scan, or nothing new, and marks pseudonymized reports", () => {
    const { records } = realInventory();
    expect(inventoryHtml(records, { tool, generatedAt })).toContain("No earlier scan to compare with");
    expect(inventoryHtml(records, { tool, generatedAt, newIds: [] })).toContain("No new AI system.");
    const key = "k".repeat(32);
    const p = inventoryHtml(pseudonymize(records, key), { tool, generatedAt, pseudonymization: pseudonymizationInfo(key) });
    expect(p).toContain("Pseudonymized");
    expect(p).not.toContain("erin@example.com");
    expect(inventoryHtml(records, { tool, generatedAt })).toContain("user identities in clear");
  });

  it("is deterministic", () => {
    const { records } = realInventory();
    expect(inventoryHtml([...records].reverse(), { tool, generatedAt })).toBe(inventoryHtml(records, { tool, generatedAt }));
  });
});

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`reports/html.test.ts: ${CHROMIUM} not found, skipping the browser tests (Debian: apt-get install -y chromium; or set SHADOW_AI_CHROMIUM)`);
}

describe.skipIf(!haveChromium)("inventoryHtml in headless Chromium", () => {
  let browser: Browser;

  beforeAll(async () => {
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function open(doc: string, name: string) {
    const file = join(outDir, `${name}.html`);
    writeFileSync(file, doc);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const dialogs: string[] = [];
    const errors: string[] = [];
    const requests: string[] = [];
    const failed: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("request", (r) => requests.push(r.url()));
    page.on("requestfailed", (r) => failed.push(r.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    return { page, dialogs, errors, requests, failed, file };
  }

  it("renders the hostile report: names as text, no script, no dialog, no error, no request", async () => {
    const { page, dialogs, errors, requests, file } = await open(hostileReport(), "report-hostile");
    try {
      expect(await page.locator("script").count()).toBe(0);
      expect(await page.locator("img").count()).toBe(0);
      const handlers = await page.evaluate(() =>
        [...document.querySelectorAll("*")].flatMap((el) => [...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${el.tagName} ${a.name}`)),
      );
      expect(handlers).toEqual([]);
      const text = (await page.textContent("body")) ?? "";
      expect(text).toContain("<img src=x onerror=alert(1)>");
      expect(text).toContain('"><script>alert(2)</script>');
      expect(text).toContain("<svg onload=alert(3)>");
      expect(text).toContain("</style><style>body{display:none}</style>");
      // the hostile system's own heading shows the name verbatim
      const headings = await page.locator("article.system h3").allTextContents();
      expect(headings.some((h) => h.startsWith("<img src=x onerror=alert(1)>"))).toBe(true);
      expect(headings.some((h) => h.startsWith('"><script>alert(2)</script>'))).toBe(true);
      // hostile evidence and journal text shows as text in the hostile system's tables
      const hostile = page.locator("article.system", { hasText: "Record hostile-0@x " }).first();
      expect(await hostile.locator("table.journal").innerText()).toContain("<img src=x onerror=alert(1)>");
      expect(await hostile.locator("table.evidence").innerText()).toContain("<img src=x onerror=alert(1)> frame 7 offset 1234");
      // the CSP is in force
      expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content")).toBe(REPORT_CSP);
      // the injected </style> did not hide the page
      expect(await page.locator("main").isVisible()).toBe(true);
      await page.waitForTimeout(300);
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href]);

      const shot = join(outDir, "report-hostile-top.png");
      await page.screenshot({ path: shot });
      const buf = readFileSync(shot);
      expect(pngSize(buf)).toEqual({ width: 1280, height: 900 });
      expect(statSync(shot).size).toBeGreaterThan(30_000);
      const section = join(outDir, "report-hostile-system.png");
      await page.locator("article.system", { hasText: "<img src=x onerror=alert(1)>" }).first().screenshot({ path: section });
      expect(pngSize(readFileSync(section)).width).toBeGreaterThan(600);
    } finally {
      await page.close();
    }
  });

  it("shows the governance journal with its reasons, jumps to a system from the contents, and filters by class without script", async () => {
    const { records } = realInventory();
    const { page, dialogs, errors, file } = await open(realReport(), "report-journal");
    try {
      const deepseek = page.locator("article.system", { hasText: "Record deepseek " }).first();
      const journal = deepseek.locator("table.journal");
      await journal.scrollIntoViewIfNeeded();
      expect(await journal.isVisible()).toBe(true);
      const rows = await journal.locator("tbody tr").allInnerTexts();
      // who, field, old, new and why of the status change, as a reader sees them
      expect(rows.some((r) => /auditor\s+status\s+unreviewed\s+blocked\s+Blocked at the proxy; no business use/.test(r))).toBe(true);
      expect(rows.some((r) => /auditor\s+class\s+none\s+minimal/.test(r) && r.includes(DEEPSEEK_WHY))).toBe(true);
      await journal.screenshot({ path: join(outDir, "report-journal-deepseek.png") });
      expect(await deepseek.locator("table.evidence tbody tr").count()).toBeGreaterThan(0);

      // the contents link jumps to the system: its heading is then in the viewport
      await page.evaluate(() => window.scrollTo(0, 0));
      const anchor = await deepseek.getAttribute("id");
      await page.locator(`nav#contents a[href="#${anchor}"]`).first().click();
      await page.waitForFunction((id) => location.hash === `#${id}`, anchor);
      const box = await deepseek.boundingBox();
      expect(box && box.y >= -1 && box.y < 900).toBe(true);

      // "show only prohibited": the other classes' sections are hidden by CSS alone
      const prohibited = records.filter((r) => r.classification.tier === "prohibited").length;
      expect(prohibited).toBeGreaterThan(0);
      await page.goto(`${pathToFileURL(file).href}#only-prohibited`);
      const visible = await page.locator("article.system:visible").count();
      expect(visible).toBe(prohibited);
      await page.goto(`${pathToFileURL(file).href}#contents`);
      expect(await page.locator("article.system:visible").count()).toBe(records.length);
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("renders the real report and prints it to PDF", async () => {
    const { records } = realInventory();
    const doc = realReport();
    const { page, dialogs, errors } = await open(doc, "report-real");
    try {
      expect(await page.locator("article.system").count()).toBe(records.length);
      expect(await page.locator("svg.chart").count()).toBe(2);
      await page.screenshot({ path: join(outDir, "report-real-top.png") });
      await page.locator("article.system", { hasText: "hirevue@hr" }).first().screenshot({ path: join(outDir, "report-real-hirevue.png") });
      for (const id of ["new", "obligations", "systems"]) {
        const shot = join(outDir, `report-real-${id}.png`);
        await page.locator(`#${id}`).screenshot({ path: shot });
        expect(pngSize(readFileSync(shot)).height).toBeGreaterThan(50);
      }
      const pdf = await page.pdf({ format: "A4", printBackground: true });
      expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
      writeFileSync(join(outDir, "report-real.pdf"), pdf);
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("runs nothing even if escaping failed: the CSP blocks injected inline script and handlers", async () => {
    const broken = hostileReport().replace("<main>", `<main><img src=x onerror=alert(1)><script>alert(2)</script><svg onload=alert(3)></svg>`);
    const { page, dialogs, errors, requests, failed, file } = await open(broken, "report-broken");
    try {
      await page.waitForTimeout(300);
      expect(dialogs).toEqual([]);
      // the console reports the refusals: proof the policy, not luck, stopped them
      expect(errors.some((e) => /Content Security Policy/i.test(e))).toBe(true);
      // the <img src=x> was refused (request failed), nothing else was asked for
      expect(requests.filter((u) => u !== pathToFileURL(file).href)).toEqual(failed);
    } finally {
      await page.close();
    }
  });
});
