/**
 * First-cut classification: the signature's default EU AI Act class for the product's intended
 * purpose (Regulation (EU) 2024/1689 as amended by Regulation (EU) 2026/1744), with its articles and
 * rationale. Provenance is `catalog`: it says what the product is, not how the organisation uses it.
 */
import type { AISystemRecord } from "../core/finding.js";
import type { AIService } from "../core/service.js";

/** The classification a record gets from its catalogue entry alone. */
export function classifyFromCatalog(service: AIService | undefined, serviceId: string): AISystemRecord["classification"] {
  if (!service) {
    return {
      tier: "unclassified",
      articles: [],
      rationale: `The signature "${serviceId}" is no longer in the catalogue; the stored evidence is kept and needs a human review.`,
      provenance: "catalog",
    };
  }
  const articles = service.euAiAct.articles.includes("Art. 4") ? service.euAiAct.articles : [...service.euAiAct.articles, "Art. 4"];
  return { tier: service.euAiAct.tier, articles, rationale: service.euAiAct.rationale.trim(), provenance: "catalog" };
}
