/**
 * The type of a loaded signature, in a module of its own so that the loader (load.ts) and the
 * build cache (catalogue-cache.ts) share it without importing each other.
 */
import type { AIService } from "../core/service.js";
import type { SignatureFile } from "./schema.js";

/** A loaded signature: the service plus its examples and false-positive notes. */
export interface LoadedSignature {
  service: AIService;
  raw: SignatureFile;
}
