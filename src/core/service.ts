/**
 * AIService: one entry of the signature catalogue (`signatures/<id>.yaml`), a vendor's AI product or
 * a suite's AI feature. Facts here are intrinsic to the product, never to how an organisation uses it.
 */

/** Service categories, the vocabulary of `category` in a signature. */
export const SERVICE_CATEGORIES = [
  "assistant",
  "llm_api",
  "model_hub",
  "coding",
  "meeting",
  "writing",
  "search",
  "image",
  "video",
  "voice",
  "music",
  "translation",
  "presentation",
  "design",
  "agents",
  "support",
  "hr",
  "sales_marketing",
  "suite_ai",
  "productivity",
  "education",
  "finance",
  "biometrics",
] as const;
export type ServiceCategory = (typeof SERVICE_CATEGORIES)[number];

/**
 * EU AI Act (Regulation (EU) 2024/1689 as amended by Regulation (EU) 2026/1744) classes, most severe
 * first. `gpai` marks a system built on a general-purpose AI model (Chapter V, Art. 51-55) with no
 * more severe trigger; `minimal` is the residual class (Art. 4 literacy still applies).
 */
export const AI_ACT_TIERS = ["prohibited", "high_risk", "transparency", "gpai", "minimal"] as const;
export type AiActTier = (typeof AI_ACT_TIERS)[number];

/** Severity rank of a tier: lower is more severe. */
export function tierRank(tier: AiActTier): number {
  return AI_ACT_TIERS.indexOf(tier);
}

/** The signature's default classification: what the product's intended purpose alone implies. */
export interface DefaultClassification {
  tier: AiActTier;
  /** Article references, rendered: `Art. 50(1)`, `Art. 6(2)`, `Annex III 4(a)`, `Art. 53`. */
  articles: string[];
  /** Why, in one or two sentences, citing the articles. */
  rationale: string;
}

/** Facts about the vendor that bear on risk. `unknown` where no public source says. */
export interface VendorFacts {
  /** ISO 3166-1 alpha-2 country of the vendor's headquarters. */
  hqCountry?: string;
  /** Whether the consumer/default tier trains models on customer content unless the customer opts out. */
  trainsOnCustomerData?: "yes" | "no" | "opt_out" | "unknown";
  /** Whether an enterprise tier with contractual data protection exists. */
  enterpriseTier?: boolean;
  /** Published certifications (`SOC 2 Type II`, `ISO/IEC 27001`, `ISO/IEC 42001`). */
  certifications?: string[];
}

/** What identifies the service in evidence. All comparisons are case-insensitive. */
export interface ServiceIdentifiers {
  /** Registrable domains or hosts; a domain matches itself and its subdomains on label boundaries. */
  domains: string[];
  /** Google OAuth client IDs, only where a public source gives them. */
  oauthClientIds: string[];
  /** Microsoft Entra application (client) IDs, only where a public source gives them. */
  entraAppIds: string[];
  /** Verified publisher display names (Entra). */
  publishers: string[];
  /** Regular expressions (case-insensitive) over OAuth app display names. */
  appNamePatterns: string[];
  /** Substrings of user agents that hint at the service (hints only: an SDK's UA names the SDK). */
  userAgents: string[];
}

export interface AIService {
  /** Stable id, kebab-case, equal to the file name: `openai-chatgpt`. */
  id: string;
  name: string;
  vendor: string;
  category: ServiceCategory;
  description?: string;
  match: ServiceIdentifiers;
  vendorFacts: VendorFacts;
  euAiAct: DefaultClassification;
  /** Public pages that back the identifiers and facts. The first is the evidence URL. */
  references: string[];
  /** ISO date (YYYY-MM-DD) on which the identifiers were last checked. */
  lastValidated: string;
  tags: string[];
  /** Path of the YAML file the service was loaded from. */
  file?: string;
}
