import { describe, expect, it } from "vitest";
import { MASK, SECRET_PREFIX, decryptSecrets, encryptSecrets, maskSecrets, redactor, removeSecrets } from "./secrets";

const config = { parameters: { user: "ann", "#password": "hunter2-very-secret", nested: [{ "#token": "tok-123456" }] } };

describe("secrets", () => {
  it("encrypts every # value at any depth, and decrypts them back only in the same project", () => {
    const stored = encryptSecrets(config, { projectId: 7 });
    const text = JSON.stringify(stored);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("tok-123456");
    expect(stored.parameters.user).toBe("ann");
    expect(stored.parameters["#password"].startsWith(SECRET_PREFIX)).toBe(true);
    const { value, secrets } = decryptSecrets(stored, 7);
    expect(value).toEqual(config);
    expect(secrets.sort()).toEqual(["hunter2-very-secret", "tok-123456"]);
    expect(() => decryptSecrets(stored, 8)).toThrow(/cannot be decrypted in this project/);
  });

  it("keeps already encrypted values, and the stored value where a client sends *** back", () => {
    const stored = encryptSecrets(config, { projectId: 1 });
    expect(encryptSecrets(stored, { projectId: 1 })).toEqual(stored);
    const edited = { parameters: { ...maskSecrets(stored).parameters, user: "bob" } };
    const again = encryptSecrets(edited, { projectId: 1, previous: stored });
    expect(again.parameters["#password"]).toBe(stored.parameters["#password"]);
    expect(decryptSecrets(again, 1).value.parameters.user).toBe("bob");
  });

  it("a new *** with nothing stored there is encrypted as the text it is", () => {
    const stored = encryptSecrets({ "#x": MASK }, { projectId: 1 });
    expect(decryptSecrets(stored, 1).value).toEqual({ "#x": MASK });
  });

  it("masks for readers and removes for snapshots", () => {
    const stored = encryptSecrets(config, { projectId: 1 });
    expect(maskSecrets(stored)).toEqual({ parameters: { user: "ann", "#password": MASK, nested: [{ "#token": MASK }] } });
    expect(removeSecrets(stored)).toEqual({ parameters: { user: "ann", nested: [{}] } });
  });

  it("redacts secrets from output, longest first", () => {
    const redact = redactor(["abcdef", "abc", "x"]);
    expect(redact("token abcdef and abc and x")).toBe("token *** and *** and x");
  });
});
