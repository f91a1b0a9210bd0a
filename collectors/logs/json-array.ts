/**
 * Reading a JSON array of records line by line without holding the file: an API response saved
 * whole (Okta `GET /api/v1/logs` returns a JSON array of events), pretty-printed or on one line,
 * or several such arrays one after another (pages appended to one file).
 *
 * The splitter only tracks strings and nesting, so it costs one pass over the characters; each
 * element's text is then given to `JSON.parse`. An element longer than {@link MAX_ELEMENT_CHARS}
 * is skipped and reported without being kept.
 */

/** Longest array element kept, in UTF-16 units. */
export const MAX_ELEMENT_CHARS = 4 * 1024 * 1024;

/** What the splitter hands on. */
export interface ElementSink {
  /** One element's JSON text, starting on line `line` (1-based) at byte offset `offset` of that line. */
  element(json: string, line: number, offset: number): void;
  /** Text that is not part of an array, or an over-long element. */
  error(message: string, line: number, offset: number): void;
}

export class JsonArraySplitter {
  /** 0: outside any array; 1: inside the top array between elements; >1: inside an element. */
  private depth = 0;
  private inString = false;
  private escaped = false;
  private inElement = false;
  private parts: string[] = [];
  private size = 0;
  private tooLong = false;
  private startLine = 0;
  private startOffset = 0;
  private errorLine = -1;

  constructor(private readonly sink: ElementSink) {}

  /** Feed one line `text[start, end)` (no terminator). */
  feed(text: string, start: number, end: number, line: number, offset: number): void {
    let segStart = this.inElement ? start : -1;
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92 /* \ */) this.escaped = true;
        else if (c === 34 /* " */) this.inString = false;
        continue;
      }
      if (this.depth === 0) {
        if (c === 91 /* [ */) this.depth = 1;
        else if (!isSpace(c) && this.errorLine !== line) {
          this.errorLine = line;
          this.sink.error(`expected a JSON array of records ('['), found ${JSON.stringify(text[i])}`, line, offset);
        }
        continue;
      }
      if (this.depth === 1 && !this.inElement) {
        if (isSpace(c) || c === 44 /* , */) continue;
        if (c === 93 /* ] */) {
          this.depth = 0;
          continue;
        }
        this.inElement = true;
        this.startLine = line;
        this.startOffset = offset;
        this.parts = [];
        this.size = 0;
        this.tooLong = false;
        segStart = i;
      }
      if (c === 34) this.inString = true;
      else if (c === 123 /* { */ || c === 91 /* [ */) this.depth++;
      else if (c === 125 /* } */ || c === 93 /* ] */) {
        if (this.depth > 1) this.depth--;
        else {
          // `]` closing the top array right after a primitive element
          this.endElement(text, segStart, i);
          segStart = -1;
          this.depth = 0;
          continue;
        }
      } else if (c === 44 && this.depth === 1) {
        this.endElement(text, segStart, i);
        segStart = -1;
        continue;
      }
      if (this.depth === 1 && this.inElement && (c === 125 || c === 93)) {
        this.endElement(text, segStart, i + 1);
        segStart = -1;
      }
    }
    if (this.inElement && segStart >= 0) this.append(text, segStart, end, true);
  }

  /** Call at the end of the input: an unfinished element or array is an error. */
  end(line: number, offset: number): void {
    if (this.inElement) this.sink.error("the JSON array ends in the middle of a record (file cut short?)", this.startLine, this.startOffset);
    else if (this.depth > 0) this.sink.error("the JSON array is not closed (']' missing at the end)", line, offset);
    this.inElement = false;
    this.depth = 0;
  }

  private append(text: string, s: number, e: number, newline: boolean): void {
    if (this.tooLong) return;
    this.size += e - s + (newline ? 1 : 0);
    if (this.size > MAX_ELEMENT_CHARS) {
      this.tooLong = true;
      this.parts = [];
      return;
    }
    this.parts.push(text.slice(s, e));
    if (newline) this.parts.push("\n");
  }

  private endElement(text: string, s: number, e: number): void {
    if (s >= 0) this.append(text, s, e, false);
    this.inElement = false;
    if (this.tooLong) {
      this.sink.error(`record longer than ${MAX_ELEMENT_CHARS} characters skipped`, this.startLine, this.startOffset);
    } else {
      const json = this.parts.join("").trim();
      if (json.length > 0) this.sink.element(json, this.startLine, this.startOffset);
    }
    this.parts = [];
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 0xfeff;
}
