// Run again on the database: the new job carries what the earlier one ran, secrets as stored.
import { describe, expect, it } from "vitest";
import { runJobAgain } from "@/lib/configurations/run-again";
import { db } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { createJob } from "@/lib/jobs/create-job";
import { decryptValue } from "@/lib/secrets/secrets";
import { createTestConfig, createTestProject } from "@/test/factories";

describe("runJobAgain", () => {
  it("copies component, configuration, rows, configData, mode, tag, backend and parallelism", async () => {
    const { auth, project } = await createTestProject();
    const config = await createTestConfig(project.id, "jobdeck.generator");
    await db().configurationRow.create({ data: { configurationPk: config.pk, rowId: "eu", name: "EU" } });
    const first = await createJob({
      db: db(),
      auth,
      input: { component: "jobdeck.generator", config: config.configId, configRowIds: ["eu"], configData: { parameters: { "#token": "s3cret", rows: 5 } }, mode: "debug", tag: "1.2.0", backend: { size: "medium" }, parallelism: "2" },
    });
    const again = await runJobAgain({ db: db(), auth, jobId: first.id.toString() });
    expect(again.id).not.toBe(first.id);
    expect(again).toMatchObject({ component: "jobdeck.generator", config: config.configId, configRowIds: ["eu"], mode: "debug", tag: "1.2.0", backendSize: "medium", parallelism: "2", parentRunId: null });
    const secret = (again.configData as { parameters: { "#token": string } }).parameters["#token"];
    expect(decryptValue(secret, project.id)).toBe("s3cret");
  });

  it("answers 404 for another project's job and 400 for a phase", async () => {
    const mine = await createTestProject();
    const theirs = await createTestProject();
    const job = await createJob({ db: db(), auth: theirs.auth, input: { component: "jobdeck.noop", configData: {}, mode: "run" } });
    const error = await runJobAgain({ db: db(), auth: mine.auth, jobId: job.id.toString() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(404);
    const phase = await createJob({ db: db(), auth: mine.auth, input: { component: "keboola.orchestrator", configData: { phase: "x" }, mode: "run" }, type: "phaseContainer" });
    const refused = await runJobAgain({ db: db(), auth: mine.auth, jobId: phase.id.toString() }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 400, code: "notRunnableAlone" });
  });

  it("runs a task's orchestration again from the task's phase: that phase and the later ones, as they ran", async () => {
    const { auth, project } = await createTestProject();
    const config = await createTestConfig(project.id, "keboola.orchestrator");
    const orchestration = await createJob({ db: db(), auth, input: { component: "keboola.orchestrator", config: config.configId, configData: { note: "kept" }, mode: "run", tag: "2.0.0" }, type: "orchestrationContainer" });
    const ran = [
      { phase: "Extract", tasks: ["jobdeck.generator/a"] },
      { phase: "Transform", tasks: ["jobdeck.generator/b", { component: "jobdeck.noop", configData: { n: 1 }, continueOnFailure: true }] },
      { phase: "Load", tasks: ["jobdeck.generator/c"] },
    ];
    const phases = [];
    for (const [index, configData] of ran.entries()) {
      phases.push(await createJob({ db: db(), auth, input: { component: "keboola.orchestrator", configData, mode: "run" }, parentRunId: orchestration.runId, type: "phaseContainer", phase: index }));
    }
    const task = await createJob({ db: db(), auth, input: { component: "jobdeck.noop", configData: { n: 1 }, mode: "run" }, parentRunId: phases[1]!.runId, phase: 1 });

    const again = await runJobAgain({ db: db(), auth, jobId: task.id.toString(), scope: "orchestrationFromHere" });
    expect(again).toMatchObject({ component: "keboola.orchestrator", config: config.configId, type: "orchestrationContainer", parentRunId: null, tag: "2.0.0", mode: "run" });
    expect(again.configData).toEqual({
      note: "kept",
      phases: [
        { name: "Transform", tasks: ran[1]!.tasks },
        { name: "Load", tasks: ran[2]!.tasks },
      ],
    });

    // A job outside an orchestration, or a phase, has no orchestration to resume.
    const alone = await createJob({ db: db(), auth, input: { component: "jobdeck.noop", configData: {}, mode: "run" } });
    for (const job of [alone, phases[0]!]) {
      const refused = await runJobAgain({ db: db(), auth, jobId: job.id.toString(), scope: "orchestrationFromHere" }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ status: 400, code: "notInOrchestration" });
    }
  });
});
