import fs from "node:fs";
import { Session } from "node:inspector";
import path from "node:path";

// bench:polling --profile 1 preloads this into every process `npm start` runs (NODE_OPTIONS does
// not allow --cpu-prof); in the Next server it records a CPU profile while `<dir>/on` exists and
// writes `<dir>/server-<pid>.cpuprofile` when the file goes away.
const dir = process.env.JOBDECK_CPU_PROFILE_DIR;
if (dir && process.argv.includes("start") && process.argv.some((a) => a.endsWith("/next"))) {
  const session = new Session();
  session.connect();
  let running = false;
  setInterval(() => {
    const on = fs.existsSync(path.join(dir, "on"));
    if (on && !running) {
      running = true;
      session.post("Profiler.enable", () => session.post("Profiler.start"));
    } else if (!on && running) {
      running = false;
      session.post("Profiler.stop", (error, result) => {
        if (!error) fs.writeFileSync(path.join(dir, `server-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
      });
    }
  }, 250).unref();
}
