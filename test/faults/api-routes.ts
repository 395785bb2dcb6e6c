// The API's routes as the source declares them, so the fault tests cover a new route or fail.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ROUTE_METHODS, type RouteMethod } from "@/lib/api/handler";

/** Every route file under app/api and the methods it serves (`export const GET = …`). */
export function apiRoutes(root = path.resolve(".")): Map<string, RouteMethod[]> {
  const out = new Map<string, RouteMethod[]>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "route.ts") {
        const source = readFileSync(full, "utf8");
        const served = ROUTE_METHODS.filter((m) => new RegExp(`^export const ${m}\\b`, "m").test(source));
        out.set(`/${path.relative(path.join(root, "app"), dir).split(path.sep).join("/")}`, served);
      }
    }
  };
  walk(path.join(root, "app/api"));
  return out;
}
