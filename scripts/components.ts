// `npm run components -- add <dir> --id acme.ex-weather --name "Weather" -- python3 main.py`
// Packs a folder as .tar.gz and registers it with the running server over its HTTP API.
//   add <dir> --id … --name … [--type extractor] [--description …] [--tag v1] [--schema schema.json]
//             [--timeout 600] [--memory 512] [--no-network] [--forward-token] -- <command…>
//   version <dir> --id … [--tag …] [-- <command…>]     (no command: the newest version's)
//   list
// --url (default http://localhost:$PORT) and --token (default: JOBDECK_DATA_DIR/demo-token).
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { packFolder } from "@/lib/components/pack-folder";
import { env } from "@/lib/env";

const USAGE = `Usage:
  npm run components -- add <dir> --id acme.ex-weather --name "Weather" [--type extractor] [--description …]
                        [--tag v1] [--schema schema.json] [--timeout 600] [--memory 512] [--no-network] [--forward-token] -- python3 main.py
  npm run components -- version <dir> --id acme.ex-weather [--tag v2] [-- python3 main.py]
  npm run components -- list
Options for all: --url http://localhost:${env.PORT}  --token <X-StorageApi-Token>`;

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const dashdash = process.argv.indexOf("--", 2);
const own = dashdash === -1 ? process.argv.slice(2) : process.argv.slice(2, dashdash);
const command = dashdash === -1 ? [] : process.argv.slice(dashdash + 1);

let parsed;
try {
  parsed = parseArgs({
    args: own,
    allowPositionals: true,
    options: {
      id: { type: "string" },
      name: { type: "string" },
      type: { type: "string" },
      description: { type: "string" },
      tag: { type: "string" },
      schema: { type: "string" },
      timeout: { type: "string" },
      memory: { type: "string" },
      "no-network": { type: "boolean" },
      "forward-token": { type: "boolean" },
      url: { type: "string" },
      token: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
} catch (error) {
  fail(`${(error as Error).message}\n\n${USAGE}`);
}
const { values, positionals } = parsed;
const [action, dir] = positionals;
if (values.help || !action) fail(USAGE);

const baseUrl = (values.url ?? `http://localhost:${env.PORT}`).replace(/\/$/, "");
const token = values.token ?? env.JOBDECK_DEMO_TOKEN ?? readDemoToken();

function readDemoToken(): string {
  const file = path.join(env.dataDir, "demo-token");
  if (!existsSync(file)) fail(`No token: pass --token, or start the server once so that ${file} exists.`);
  return readFileSync(file, "utf8").trim();
}

async function call(method: string, urlPath: string, body?: FormData): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl}/api${urlPath}`, { method, headers: { "X-StorageApi-Token": token }, body });
  } catch {
    fail(`The server does not answer at ${baseUrl}; start it with \`npm start\` or pass --url.`);
  }
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: shown as text below
  }
  if (!response.ok) {
    const error = json as { error?: string; code?: string } | null;
    fail(`${method} ${urlPath} failed (${response.status}${error?.code ? ` ${error.code}` : ""}): ${error?.error ?? text.slice(0, 500)}`);
  }
  return json;
}

async function packFolderBlob(folder: string): Promise<Blob> {
  const root = path.resolve(folder);
  if (!existsSync(root) || !statSync(root).isDirectory()) fail(`"${folder}" is not a folder.`);
  return new Blob([new Uint8Array(await packFolder(root))], { type: "application/gzip" });
}

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) fail(`--${name} must be a positive whole number, not "${value}".`);
  return n;
}

async function add() {
  if (!dir || !values.id || !values.name) fail(`add needs a folder, --id and --name.\n\n${USAGE}`);
  if (command.length === 0) fail(`add needs the command after --, e.g. -- python3 main.py\n\n${USAGE}`);
  const form = new FormData();
  form.set("id", values.id);
  form.set("name", values.name);
  if (values.type) form.set("type", values.type);
  if (values.description) form.set("description", values.description);
  if (values.tag) form.set("tag", values.tag);
  if (values.schema) {
    let schema: string;
    try {
      schema = JSON.stringify(JSON.parse(readFileSync(values.schema, "utf8")));
    } catch (error) {
      fail(`--schema ${values.schema}: ${(error as Error).message}`);
    }
    form.set("configurationSchema", schema);
  }
  const settings = {
    ...(values.timeout && { timeoutSeconds: numberOption("timeout", values.timeout) }),
    ...(values.memory && { memoryMb: numberOption("memory", values.memory) }),
    ...(values["no-network"] && { network: false }),
    ...(values["forward-token"] && { forwardToken: true }),
  };
  form.set("settings", JSON.stringify(settings));
  form.set("command", JSON.stringify(command));
  form.set("code", await packFolderBlob(dir), "code.tar.gz");
  const component = (await call("POST", "/components", form)) as { id: string; versions: { tag: string; fileCount: number }[] };
  const version = component.versions[0];
  console.log(`Added ${component.id}${version ? ` (version ${version.tag}, ${version.fileCount} files)` : ""}.`);
}

async function version() {
  if (!dir || !values.id) fail(`version needs a folder and --id.\n\n${USAGE}`);
  const form = new FormData();
  if (values.tag) form.set("tag", values.tag);
  if (command.length > 0) form.set("command", JSON.stringify(command));
  form.set("code", await packFolderBlob(dir), "code.tar.gz");
  const added = (await call("POST", `/components/${encodeURIComponent(values.id)}/versions`, form)) as { tag: string; fileCount: number; command: string[] };
  console.log(`Added version ${added.tag} of ${values.id} (${added.fileCount} files): ${added.command.join(" ")}`);
}

async function list() {
  const components = (await call("GET", "/components")) as { id: string; name: string; type: string; kind: string; versions: { tag: string }[] }[];
  for (const c of components) {
    console.log(`${c.id.padEnd(36)} ${c.kind.padEnd(8)} ${c.type.padEnd(15)} ${c.name}${c.versions.length ? `  [${c.versions.map((v) => v.tag).join(", ")}]` : ""}`);
  }
}

if (action === "add") await add();
else if (action === "version") await version();
else if (action === "list") await list();
else fail(`Unknown command "${action}".\n\n${USAGE}`);
