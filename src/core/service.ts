/**
 * AIService: one entry of the signature catalogue (`signatures/<id>.yaml`), a vendor's AI product or
 * a suite's AI feature. Facts here are intrinsic to the product, never to how an organisation uses it.
 */

/**
 * Service categories, the vocabulary of `category` in a signature and the folder a signature file
 * lives in (`signatures/<category>/<id>.yaml`). They follow the use-case taxonomy buyers filter by
 * (the AI gateways' categories) plus the domains where the EU AI Act looks hardest.
 */
export const SERVICE_CATEGORIES = [
  /** General chat assistants and conversational agents (ChatGPT, Claude, Le Chat). */
  "assistant",
  /** Model APIs and inference providers (OpenAI API, Together AI, Groq). */
  "llm_api",
  /** Model hubs and hosted open-model sites (Hugging Face, Civitai). */
  "model_hub",
  /** ML and AI platforms for building and running models (DataRobot, C3 AI, Weights & Biases). */
  "ml_platform",
  /** Code assistants and AI IDEs (GitHub Copilot, Cursor). */
  "coding",
  /** AI app builders and developer platforms (v0, Bolt, Lovable). */
  "dev_platform",
  /** Meeting assistants and note-takers (Otter.ai, Fireflies). */
  "meeting",
  /** Writing assistants (Grammarly, Jasper). */
  "writing",
  /** AI answer engines for the public web (Perplexity, You.com). */
  "search",
  /** Enterprise AI search over the organisation's own data (Glean, Guru). */
  "enterprise_search",
  "image",
  "video",
  /** Speech synthesis, voice cloning and transcription (ElevenLabs). */
  "voice",
  "music",
  "translation",
  "presentation",
  "design",
  /** Agent platforms and builders (Coze, Relevance AI, n8n AI agents). */
  "agents",
  /** Agent products that act on their own (Manus, Devin-like task agents, browser agents). */
  "agent_product",
  /** Remote MCP servers and AI tool hosts (Smithery, Composio). */
  "mcp_server",
  /** LLM operations, evaluation and observability (Langfuse, LangSmith, Helicone). */
  "llmops",
  /** Customer support and conversation intelligence (Intercom Fin, Gong). */
  "support",
  /** HR, recruiting and workforce AI: Annex III point 4. */
  "hr",
  "sales_marketing",
  /** AI features embedded in a SaaS suite with their own hosts or app IDs (Microsoft 365 Copilot, Notion AI). */
  "suite_ai",
  "productivity",
  /** Education and research: Annex III point 3. */
  "education",
  /** Credit scoring, lending and finance: Annex III point 5(b). */
  "finance",
  /** Life and health insurance pricing and risk: Annex III point 5(c). */
  "insurance",
  /** Legal research and drafting; administration of justice: Annex III point 8. */
  "legal",
  /** Health and clinical AI. */
  "health",
  /** Emotion and affect recognition: Art. 5(1)(f) in workplaces and education; Art. 50(3). */
  "emotion",
  /** Biometric identification and categorisation: Art. 5(1)(e)(g)(h), Annex III point 1. */
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
  /** MCP server packages (`npm:@playwright/mcp`, `pypi:mcp-server-git`, `docker:<image>`) that endpoints run (src/match/packages.ts). */
  packages?: string[];
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
