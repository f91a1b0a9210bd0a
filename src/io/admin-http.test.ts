import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { AdminAuthError, AdminHttp, AdminHttpError } from "./admin-http.js";

const KEY = "sk-admin-unit-test-key-0123456789";
const closers: (() => void)[] = [];
afterEach(() => { for (const c of closers.splice(0)) c(); });

async function serve(handler: (path: string, headers: IncomingHttpHeaders, res: import("node:http").ServerResponse) => void): Promise<string> {
  const s = createServer((req, res) => handler(req.url ?? "/", req.headers, res));
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  closers.push(() => { s.closeAllConnections(); s.close(); });
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

const client = (baseUrl: string) => new AdminHttp({ baseUrl, headers: { authorization: `Bearer ${KEY}` }, secret: KEY, keyVar: "OPENAI_ADMIN_KEY", vendor: "OpenAI", retry: { retries: 2, minTimeoutMs: 10, maxTimeoutMs: 20 } });

describe("admin API client", () => {
  it("stops a listing whose server repeats a cursor", async () => {
    const url = await serve((_p, _h, res) => { res.writeHead(200, { "content-type": "application/json" }); res.end(JSON.stringify({ data: [{ id: "a" }], last_id: "a", has_more: true })); });
    const pages: unknown[][] = [];
    await expect((async () => { for await (const p of client(url).pages("/x", {}, "after")) pages.push(p); })()).rejects.toThrow(AdminHttpError);
    expect(pages).toHaveLength(2);
  });

  it("names the variable of a refused key (403), never the key, even when the body echoes it", async () => {
    const url = await serve((_p, h, res) => { res.writeHead(403, { "content-type": "application/json" }); res.end(JSON.stringify({ error: { message: `key ${String(h.authorization)} lacks api.management.read`, type: "insufficient_permissions" } })); });
    const e = await client(url).get("/organization/users").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AdminAuthError);
    expect((e as Error).message).toContain("OPENAI_ADMIN_KEY");
    expect((e as Error).message).not.toContain(KEY);
    expect((e as Error).message).not.toContain(KEY.slice(10));
  });

  it("never follows a redirect, so the key cannot be sent on to another host", async () => {
    let leaked = 0;
    const other = await serve((_p, h, res) => { if (h.authorization) leaked++; res.end("{}"); });
    const url = await serve((_p, _h, res) => { res.writeHead(302, { location: `${other}/steal` }); res.end(); });
    await expect(client(url).get("/organization/users")).rejects.toThrow();
    expect(leaked).toBe(0);
  });

  it("retries 429 with Retry-After and then reads the page", async () => {
    let n = 0;
    const url = await serve((_p, _h, res) => {
      if (n++ === 0) { res.writeHead(429, { "retry-after": "0" }); res.end("{}"); return; }
      res.writeHead(200, { "content-type": "application/json" }); res.end(JSON.stringify({ data: [1, 2], has_more: false }));
    });
    const c = client(url);
    expect(await c.get("/x")).toEqual({ data: [1, 2], has_more: false });
    expect(c.runner.stats.byCause).toEqual({ "429": 1 });
  });
});
