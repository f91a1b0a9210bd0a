/**
 * Classification scenarios drawn from Regulation (EU) 2024/1689 as amended by Regulation (EU)
 * 2026/1744 (see ../../../shared/reference/eu-ai-act.md). Each scenario names the article it tests.
 * Services are catalogue entries as a signature would give them; context is what evidence shows.
 */
import { describe, expect, it } from "vitest";
import type { AIService, AiActTier, ServiceCategory } from "../core/service.js";
import { classify, type Attestation, type Classification } from "./engine.js";

const TODAY = "2026-11-22";

function svc(id: string, category: ServiceCategory, tier: AiActTier, articles: string[], tags: string[] = []): ClassifiedService {
  return { id, name: id, category, tags, euAiAct: { tier, articles, rationale: "catalogue rationale for tests" } };
}
type ClassifiedService = Pick<AIService, "id" | "name" | "category" | "euAiAct" | "tags">;

const assistant = svc("general-assistant", "assistant", "gpai", ["Art. 50(1)", "Art. 53", "Art. 55"]);
const llmApi = svc("llm-api", "llm_api", "gpai", ["Art. 53", "Art. 55"]);
const cvScreening = svc("cv-screener", "hr", "high_risk", ["Art. 6(2)", "Annex III 4(a)"], ["cv-screening"]);
const emotionMeetings = svc("meeting-emotion", "meeting", "minimal", ["Art. 4"], ["emotion-recognition"]);
const notetaker = svc("notetaker", "meeting", "minimal", ["Art. 4"]);
const creditEngine = svc("credit-engine", "finance", "high_risk", ["Art. 6(2)", "Annex III 5(b)"], ["credit-scoring"]);
const proctoring = svc("proctor", "education", "high_risk", ["Art. 6(2)", "Annex III 3(d)"], ["proctoring"]);
const imageGen = svc("image-gen", "image", "transparency", ["Art. 50(2)", "Art. 50(4)"]);
const codeAssistant = svc("code-assistant", "coding", "minimal", ["Art. 4"]);
const faceScraper = svc("face-scraper", "biometrics", "prohibited", ["Art. 5(1)(e)"], ["face-scraping"]);
const catalogProhibited = svc("read-emotions", "meeting", "prohibited", ["Art. 5(1)(f)"]);
const nudify = svc("nudify-app", "image", "minimal", ["Art. 4"], ["nudify"]);
const biometricCat = svc("bio-cat", "biometrics", "minimal", ["Art. 4"], ["biometric-categorisation-sensitive"]);
const remoteId = svc("face-id-1n", "biometrics", "minimal", ["Art. 4"], ["remote-biometric-identification"]);
const faceLogin = svc("face-login", "biometrics", "minimal", ["Art. 4"], ["remote-biometric-identification", "biometric-verification-only"]);
const safetyComponent = svc("machine-vision-guard", "productivity", "minimal", ["Art. 4"], ["safety-component"]);
const supportBot = svc("support-bot", "support", "transparency", ["Art. 50(1)"]);
const workforce = svc("workforce-analytics", "hr", "high_risk", ["Art. 6(2)", "Annex III 4(b)"]);
const insurer = svc("life-pricing", "finance", "high_risk", ["Art. 6(2)", "Annex III 5(c)"]);
const translator = svc("translator", "translation", "minimal", ["Art. 4"]);
const voiceGen = svc("voice-gen", "voice", "transparency", ["Art. 50(2)", "Art. 50(4)"]);

function run(
  service: ClassifiedService,
  ctx: { orgUnit?: string | null; jobTitles?: string[]; users?: number; attested?: Attestation } = {},
  override?: { tier: AiActTier; why: string },
): Classification {
  return classify(
    { service, orgUnit: ctx.orgUnit ?? null, jobTitles: ctx.jobTitles ?? [], userCount: ctx.users ?? 1, ...(ctx.attested ? { attested: ctx.attested } : {}) },
    { today: TODAY, ...(override ? { override } : {}) },
  );
}
const ids = (c: Classification) => c.findings.map((f) => f.ruleId);
const obligation = (c: Classification, id: string) => c.obligations.find((o) => o.id === id);

describe("EU AI Act scenarios", () => {
  it("1. CV screening tool is high-risk, determined from its intended purpose (Art. 6(2), Annex III 4(a))", () => {
    const c = run(cvScreening, { orgUnit: "HR" });
    expect(c.tier).toBe("high_risk");
    expect(c.disposition).toBe("determined");
    expect(c.articles).toEqual(expect.arrayContaining(["Art. 6(2)", "Annex III 4(a)"]));
    expect(c.rationale).toContain("Art. 6(3)");
    expect(c.role.value).toBe("deployer");
  });

  it("2. Emotion recognition in meetings of employees is prohibited (Art. 5(1)(f))", () => {
    const c = run(emotionMeetings, { orgUnit: "Engineering" });
    expect(c.tier).toBe("prohibited");
    expect(c.articles).toContain("Art. 5(1)(f)");
    expect(c.disposition).toBe("blocked");
    expect(obligation(c, "AIA.5.cease")?.status).toBe("applies");
  });

  it("3. A general assistant used by Sales is GPAI-based with minimal deployer duties plus Art. 4", () => {
    const c = run(assistant, { orgUnit: "Sales", users: 40 });
    expect(c.tier).toBe("gpai");
    expect(c.disposition).toBe("determined");
    expect(ids(c)).toEqual(["AIA-G-gpai-based"]);
    expect(obligation(c, "AIA.4.literacy")?.status).toBe("applies");
    expect(c.role.value).toBe("deployer");
  });

  it("4. The same assistant used by HR recruiters is a candidate Annex III 4(a) use that requires review (Art. 25(1)(c))", () => {
    const c = run(assistant, { orgUnit: "Talent Acquisition", jobTitles: ["Senior Recruiter"] });
    expect(c.tier).toBe("high_risk");
    expect(c.disposition).toBe("requires_review");
    expect(c.articles).toEqual(expect.arrayContaining(["Annex III 4(a)", "Art. 25(1)(c)"]));
    expect(c.role).toEqual({ value: "provider", basis: ["AIA-HR-III-4a-recruitment-context"], disposition: "requires_review" });
    expect(c.provenance).toBe("observed");
    expect(c.purpose).toEqual({ tags: ["recruitment"], source: "observed" });
  });

  it("5. Credit scoring of natural persons is high-risk with an impact assessment (Annex III 5(b), Art. 27)", () => {
    const c = run(creditEngine, { orgUnit: "Lending" });
    expect(c.tier).toBe("high_risk");
    expect(c.articles).toEqual(expect.arrayContaining(["Annex III 5(b)", "Art. 27"]));
    expect(obligation(c, "AIA.27.fria")).toMatchObject({ status: "upcoming", appliesFrom: "2027-12-02", needs: "fria" });
  });

  it("6. Exam proctoring is high-risk (Annex III 3(d))", () => {
    const c = run(proctoring, { orgUnit: "Examinations" });
    expect(c.tier).toBe("high_risk");
    expect(c.articles).toContain("Annex III 3(d)");
    expect(c.disposition).toBe("determined");
  });

  it("7. A customer-facing bot built on an LLM API makes the organisation its provider (Art. 50(1), Art. 3(68))", () => {
    const c = run(llmApi, { orgUnit: "Customer Support", attested: { purposeTags: ["customer_chat"], exposure: "external_users" } });
    expect(c.tier).toBe("transparency");
    expect(c.role.value).toBe("provider");
    expect(c.disposition).toBe("determined");
    expect(obligation(c, "AIA.50.1.disclose")).toMatchObject({ holder: "provider", status: "applies" });
  });

  it("8. The same LLM API inferred as customer-facing only from the department is a candidate (Art. 50(1))", () => {
    const c = run(llmApi, { orgUnit: "Customer Service" });
    expect(c.tier).toBe("transparency");
    expect(c.disposition).toBe("requires_review");
  });

  it("9. Headline class is the most severe finding, and every finding is kept (GPAI + Annex III)", () => {
    const c = run(assistant, { orgUnit: "HR" });
    expect(ids(c)).toEqual(["AIA-HR-III-4a-recruitment-context", "AIA-G-gpai-based"]);
    expect(c.tier).toBe("high_risk");
  });

  it("10. Image generator: provider marks output, deployer discloses deep fakes (Art. 50(2), Art. 50(4))", () => {
    const c = run(imageGen, { orgUnit: "Design" });
    expect(c.tier).toBe("transparency");
    expect(c.articles).toEqual(expect.arrayContaining(["Art. 50(2)", "Art. 50(4)"]));
    expect(obligation(c, "AIA.50.4.label")?.holder).toBe("deployer");
  });

  it("11. Code assistant is minimal risk with AI literacy (Art. 4, Art. 95)", () => {
    const c = run(codeAssistant, { orgUnit: "Engineering" });
    expect(c.tier).toBe("minimal");
    expect(c.articles).toEqual(["Art. 4", "Art. 95"]);
  });

  it("12. Scraping faces for a recognition database is prohibited (Art. 5(1)(e))", () => {
    const c = run(faceScraper, { orgUnit: "Security" });
    expect(c.tier).toBe("prohibited");
    expect(c.articles).toContain("Art. 5(1)(e)");
    expect(c.disposition).toBe("blocked");
  });

  it("13. A catalogue entry classed prohibited is blocked (Art. 5(1))", () => {
    expect(run(catalogProhibited).disposition).toBe("blocked");
  });

  it("14. Nudification app is prohibited from 2026-12-02 (Art. 5(1)(ba), Art. 5(1a))", () => {
    const c = run(nudify);
    expect(c.tier).toBe("prohibited");
    expect(c.articles).toEqual(expect.arrayContaining(["Art. 5(1)(ba)", "Art. 5(1a)"]));
    expect(obligation(c, "AIA.5.cease.ncii")).toMatchObject({ status: "upcoming", daysUntil: 10 });
  });

  it("15. Biometric categorisation by sensitive traits is prohibited (Art. 5(1)(g))", () => {
    expect(run(biometricCat).articles).toContain("Art. 5(1)(g)");
  });

  it("16. Social scoring attested as the use is prohibited for any deployer (Art. 5(1)(c))", () => {
    const c = run(assistant, { attested: { purposeTags: ["social_scoring"] } });
    expect(c.tier).toBe("prohibited");
    expect(c.disposition).toBe("blocked");
  });

  it("17. Remote 1:N biometric identification is high-risk (Annex III 1(a))", () => {
    const c = run(remoteId);
    expect(c.tier).toBe("high_risk");
    expect(c.articles).toContain("Annex III 1(a)");
  });

  it("18. One-to-one face verification for login is not Annex III 1(a) (Art. 3(36))", () => {
    expect(run(faceLogin).tier).toBe("minimal");
  });

  it("19. Emotion recognition of customers is high-risk, not prohibited, with a notice duty (Annex III 1(c), Art. 50(3))", () => {
    const c = run(emotionMeetings, { orgUnit: "Customer Support", attested: { exposure: "external_users" } });
    expect(c.tier).toBe("high_risk");
    expect(c.articles).toEqual(expect.arrayContaining(["Annex III 1(c)", "Art. 50(3)"]));
    expect(ids(c)).not.toContain("AIA-P-5.1.f-emotion-workplace");
  });

  it("20. A plain meeting notetaker is minimal: text sentiment is not emotion recognition (Art. 3(39))", () => {
    expect(run(notetaker, { orgUnit: "Sales" }).tier).toBe("minimal");
  });

  it("21. A safety component under Annex I is high-risk from 2028-08-02 (Art. 6(1), Annex I)", () => {
    const c = run(safetyComponent);
    expect(c.tier).toBe("high_risk");
    expect(c.findings[0]).toMatchObject({ gate: "annex_i", appliesFrom: "2028-08-02" });
  });

  it("22. Employee performance analytics is high-risk and workers must be informed (Annex III 4(b), Art. 26(7))", () => {
    const c = run(workforce, { orgUnit: "People Analytics" });
    expect(c.articles).toEqual(expect.arrayContaining(["Annex III 4(b)", "Art. 26(7)"]));
    expect(obligation(c, "AIA.26.7.workers")?.appliesFrom).toBe("2027-12-02");
  });

  it("23. Life and health insurance pricing needs an impact assessment (Annex III 5(c), Art. 27)", () => {
    const c = run(insurer);
    expect(obligation(c, "AIA.27.fria")).toBeDefined();
  });

  it("24. A general assistant used by credit officers is a candidate Annex III 5(b) use (Art. 27)", () => {
    const c = run(assistant, { orgUnit: "Retail Lending", jobTitles: ["Credit Analyst"] });
    expect(c.tier).toBe("high_risk");
    expect(c.disposition).toBe("requires_review");
    expect(c.articles).toContain("Annex III 5(b)");
    expect(obligation(c, "AIA.27.fria")?.candidate).toBe(true);
  });

  it("25. A general assistant used by teachers to grade is a candidate Annex III 3 use", () => {
    const c = run(assistant, { orgUnit: "Faculty of Law", jobTitles: ["Lecturer"] });
    expect(c.tier).toBe("high_risk");
    expect(c.articles).toContain("Annex III 3");
    expect(c.disposition).toBe("requires_review");
  });

  it("26. Attesting the recruitment use turns the candidate into a determined class (Art. 25(1)(c))", () => {
    const c = run(assistant, { orgUnit: "Sales", attested: { purposeTags: ["recruitment"] } });
    expect(c.disposition).toBe("determined");
    expect(c.provenance).toBe("attested");
    expect(c.role.disposition).toBe("determined");
  });

  it("27. A reviewer's attested purpose replaces the one inferred from the department", () => {
    const c = run(assistant, { orgUnit: "HR", attested: { purposeTags: ["internal_productivity"] } });
    expect(c.tier).toBe("gpai");
    expect(c.purpose).toEqual({ tags: ["internal_productivity"], source: "attested" });
  });

  it("28. Voice cloning used by Marketing for public content must disclose deep fakes (Art. 50(4))", () => {
    const c = run(voiceGen, { orgUnit: "Marketing" });
    expect(ids(c)).toEqual(["AIA-T-catalog", "AIA-T-50.4-public-content"]);
    expect(c.findings[1]?.disposition).toBe("requires_review");
  });

  it("29. An assistant used by Communications to publish text is a candidate Art. 50(4) use, GPAI kept", () => {
    const c = run(assistant, { orgUnit: "Corporate Communications" });
    expect(c.tier).toBe("transparency");
    expect(ids(c)).toEqual(["AIA-T-50.4-public-content", "AIA-G-gpai-based"]);
  });

  it("30. A vendor's customer-support bot: the chatbot disclosure is the vendor's (Art. 50(1))", () => {
    const c = run(supportBot, { orgUnit: "Customer Success" });
    expect(c.tier).toBe("transparency");
    expect(c.articles).toContain("Art. 50(1)");
  });

  it("31. The Art. 6(3) derogation is never applied automatically (Art. 6(3), Art. 6(4))", () => {
    const withClaim = svc("cv-claims-63", "hr", "high_risk", ["Art. 6(2)", "Annex III 4(a)"], ["art6-3-claimed"]);
    expect(run(withClaim).tier).toBe("high_risk");
  });

  it("32. A reviewer's class override is the headline, with the rules' findings kept (human review)", () => {
    const c = run(assistant, { orgUnit: "HR" }, { tier: "minimal", why: "Used only to draft job ads; no ranking (legal, 2026-11-20)" });
    expect(c.tier).toBe("minimal");
    expect(c.provenance).toBe("reviewed");
    expect(c.disposition).toBe("determined");
    expect(c.rationale).toContain("Used only to draft job ads");
    expect(ids(c)).toContain("AIA-HR-III-4a-recruitment-context");
  });

  it("33. A translator used by HR is still a recruitment candidate: the Act classifies by use (Annex III 4(a))", () => {
    expect(run(translator, { orgUnit: "Human Resources" }).tier).toBe("high_risk");
    expect(run(translator, { orgUnit: "Legal" }).tier).toBe("minimal");
  });

  it("35. An emotion API used by an unattributed team is high-risk only; attested internal use makes it prohibited (Art. 5(1)(f))", () => {
    const emotionApi = svc("emotion-api", "voice", "high_risk", ["Art. 6(2)", "Annex III 1(c)"], ["emotion-recognition"]);
    expect(run(emotionApi).tier).toBe("high_risk");
    expect(run(emotionApi, { orgUnit: "Engineering" }).tier).toBe("high_risk");
    const staff = run(emotionApi, { attested: { exposure: "internal" } });
    expect(staff.tier).toBe("prohibited");
    expect(staff.disposition).toBe("blocked");
    const hr = run(emotionApi, { orgUnit: "HR" });
    expect(hr.tier).toBe("prohibited");
    expect(hr.disposition).toBe("requires_review");
  });

  it("34. Obligations carry dates relative to today: Art. 4 applies, Annex III duties from 2027-12-02", () => {
    const c = run(cvScreening);
    expect(obligation(c, "AIA.4.literacy")).toMatchObject({ status: "applies", appliesFrom: "2025-02-02" });
    expect(obligation(c, "AIA.26.use")).toMatchObject({ status: "upcoming", daysUntil: 375, needs: "oversight" });
  });
});
