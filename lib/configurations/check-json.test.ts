import { describe, expect, it } from "vitest";
import { checkConfigurationText } from "@/lib/configurations/check-json";

const schema = { type: "object", properties: { city: { type: "string" }, days: { type: "integer", minimum: 1 } }, required: ["city"] };

describe("checkConfigurationText", () => {
  it("refuses text that does not parse, saying where", () => {
    const text = '{"parameters": {"city": "Prague",}}';
    const checked = checkConfigurationText(text);
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.problem.message).toMatch(/^Not valid JSON: /);
      expect(checked.problem.from).toBeGreaterThan(20);
    }
  });

  it("refuses an array and checks parameters against the schema", () => {
    expect(checkConfigurationText("[1]").ok).toBe(false);
    const wrong = checkConfigurationText('{"parameters": {"city": 7}}', schema);
    expect(wrong.ok || wrong.problem.message).toMatch(/schema: parameters\.city: /);
    const missing = checkConfigurationText('{"parameters": {}}', schema);
    expect(missing.ok || missing.problem.message).toMatch(/city/);
    expect(checkConfigurationText('{"parameters": {"city": "Prague", "days": 2}}', schema)).toEqual({ ok: true, value: { parameters: { city: "Prague", days: 2 } } });
    expect(checkConfigurationText('{"parameters": {"anything": 1}}', null).ok).toBe(true);
  });
});
