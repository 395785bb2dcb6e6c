import { describe, expect, it } from "vitest";
import { addPhase, addTask, moveTask, readFlow, removePhase, removeTask, renamePhase, setTaskFlag } from "@/components/flow-editor-model";

// The demo's pipeline with the oddities real configurations have: an inline task, unknown keys.
const source = `{
  "phases": [
    { "name": "Extract", "tasks": ["keboola.ex-http/101", "keboola.ex-http/102"], "note": "kept" },
    { "name": "Transform", "tasks": [{ "component": "jobdeck.generator", "configData": { "rows": 2000 }, "tag": "1.4.0" }, "jobdeck.sql-transformation/201"] }
  ],
  "owner": { "team": "data" }
}`;

describe("the flow editor's model", () => {
  it("round-trips the configuration exactly when nothing is edited", () => {
    const configuration = JSON.parse(source) as Record<string, unknown>;
    readFlow(configuration);
    expect(JSON.stringify(configuration, null, 2)).toBe(JSON.stringify(JSON.parse(source), null, 2));
    // An edit undone gives back the same JSON, key order included.
    const there = moveTask(configuration, { phase: 0, index: 1 }, { phase: 1, index: 0 });
    const back = moveTask(there, { phase: 1, index: 0 }, { phase: 0, index: 1 });
    expect(JSON.stringify(back)).toBe(JSON.stringify(configuration));
    const flagged = setTaskFlag(setTaskFlag(configuration, { phase: 0, index: 0 }, "enabled", false), { phase: 0, index: 0 }, "enabled", true);
    expect(JSON.stringify(flagged)).toBe(JSON.stringify(configuration));
  });

  it("reads phases and tasks, string and job-body tasks alike", () => {
    expect(readFlow(JSON.parse(source))).toEqual([
      { name: "Extract", tasks: [
        { component: "keboola.ex-http", config: "101", inline: false, enabled: true, continueOnFailure: false },
        { component: "keboola.ex-http", config: "102", inline: false, enabled: true, continueOnFailure: false },
      ] },
      { name: "Transform", tasks: [
        { component: "jobdeck.generator", config: null, inline: true, enabled: true, continueOnFailure: false },
        { component: "jobdeck.sql-transformation", config: "201", inline: false, enabled: true, continueOnFailure: false },
      ] },
    ]);
  });

  it("adds a task, moves it between phases, sets continueOnFailure and disables one, keeping everything else", () => {
    let c = JSON.parse(source) as Record<string, unknown>;
    c = addTask(c, 1, { component: "jobdeck.noop", config: "9" });
    c = moveTask(c, { phase: 1, index: 2 }, { phase: 0, index: 0 });
    c = setTaskFlag(c, { phase: 0, index: 0 }, "continueOnFailure", true);
    c = setTaskFlag(c, { phase: 1, index: 0 }, "enabled", false);
    expect(c).toEqual({
      phases: [
        { name: "Extract", tasks: [{ component: "jobdeck.noop", config: "9", continueOnFailure: true }, "keboola.ex-http/101", "keboola.ex-http/102"], note: "kept" },
        { name: "Transform", tasks: [{ component: "jobdeck.generator", configData: { rows: 2000 }, tag: "1.4.0", enabled: false }, "jobdeck.sql-transformation/201"] },
      ],
      owner: { team: "data" },
    });
  });

  it("adds, renames and removes phases; a phase with tasks is never removed", () => {
    let c = addPhase(JSON.parse(source), "Load");
    c = renamePhase(c, 2, "Load to files");
    expect(readFlow(c).map((p) => p.name)).toEqual(["Extract", "Transform", "Load to files"]);
    expect(removePhase(c, 0)).toBe(c);
    c = removePhase(c, 2);
    c = removeTask(removeTask(c, { phase: 0, index: 0 }), { phase: 0, index: 0 });
    expect(readFlow(removePhase(c, 0)).map((p) => p.name)).toEqual(["Transform"]);
  });
});
