/** A security risk score (0-100) and the factors that make it up; computed by src/classify/risk.ts. */
export interface RiskFactor {
  /** `unverified publisher` only on a third-party app named after an AI brand (see src/classify/risk.ts). */
  factor: "scopes" | "users" | "status" | "training" | "publisher" | "jurisdiction" | "recency" | "unverified publisher"
    /** MCP server records only (src/classify/mcp.ts). */
    | "plaintext secret" | "plain HTTP" | "unpinned package" | "shell or whole-filesystem access";
  points: number;
  max: number;
  detail: string;
}

export interface RiskScore {
  score: number;
  factors: RiskFactor[];
}

