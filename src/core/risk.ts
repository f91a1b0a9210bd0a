/** A security risk score (0-100) and the factors that make it up; computed by src/classify/risk.ts. */
export interface RiskFactor {
  factor: "scopes" | "users" | "status" | "training" | "publisher" | "jurisdiction" | "recency";
  points: number;
  max: number;
  detail: string;
}

export interface RiskScore {
  score: number;
  factors: RiskFactor[];
}

