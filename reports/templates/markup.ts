/**
 * The one place the HTML report turns data into markup. Every value interpolated into an `html`
 * template goes through `escapeHtml` (after `visibleControls`), unless it is already `SafeHtml`
 * made by this module; templates put values only in element text and in double-quoted attribute
 * values, never in URLs, CSS, scripts or unquoted attributes. The page's Content-Security-Policy
 * (no scripts at all) is the second line of defence if this ever fails.
 */

/** Markup that is already safe: made by `html` or `raw`. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What an `html` template accepts: text (escaped), numbers, SafeHtml, null/undefined (nothing), or lists of these. */
export type Interpolation = SafeHtml | string | number | null | undefined | readonly Interpolation[];

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * Escape text for HTML element content and for double- or single-quoted attribute values:
 * `&`, `<`, `>`, `"`, `'` become character references (the OWASP XSS prevention rule for HTML
 * body and quoted attributes, https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html).
 */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/**
 * Make invisible characters visible: C0/C1 control characters other than tab, line feed and carriage
 * return (which HTML shows as white space), and the
 * Unicode bidirectional overrides and isolates (which can make a name read differently from what
 * it is), become `\u{...}` text. A report shows what the evidence said, not what it pretends.
 */
export function visibleControls(s: string): string {
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

function render(v: Interpolation): string {
  if (v === null || v === undefined) return "";
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return (v as readonly Interpolation[]).map(render).join("");
  return escapeHtml(visibleControls(String(v)));
}

/** Tagged template: the literal parts are markup, every interpolation is escaped (see `render`). */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? "");
  return new SafeHtml(out);
}

/** Trusted markup written by this program (the CSS, the SVG built from numbers). Never pass data. */
export function raw(trusted: string): SafeHtml {
  return new SafeHtml(trusted);
}
