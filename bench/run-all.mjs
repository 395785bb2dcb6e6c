// `npm run bench [-- --quick]`: every benchmark, one after the other, with the same options.
import { spawnSync } from "node:child_process";

const args = process.argv.slice(2);
for (const name of ["dispatch", "terminate", "search", "polling", "storage", "components", "notifications", "pages", "embedded"]) {
  console.log(`\n=== bench:${name} ${args.join(" ")}`);
  const { status } = spawnSync("npm", ["run", "-s", `bench:${name}`, "--", ...args], { stdio: "inherit" });
  if (status !== 0) process.exitCode = status ?? 1;
}
