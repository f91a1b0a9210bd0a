/** A security risk score (0-100) and the factors that make it up; computed by src/classify/risk.ts. */
export interface RiskFactor {
  /** `unverified publisher` only on a third-party app named after an AI brand (see src/classify/risk.ts). */
  factor: "scopes" | "users" | "status" | "training" | "publisher" | "jurisdiction" | "recency" | "unverified publisher";
  points: number;
  max: number;
  detail: string;
}

export interface RiskScore {
  score: number;
  factors: RiskFactor[];
}

