// Token and project administration from the shell (the server need not run; on the embedded
// database it must not, since one process at a time may open it).
//   npm run tokens -- project "Analytics"                      new project with a manage token
//   npm run tokens -- create --project 1 --description ci [--read-only]
//   npm run tokens -- list --project 1
//   npm run tokens -- revoke --project 1 --id 7
import { parseArgs } from "node:util";
import { createToken, listTokens, revokeToken } from "@/lib/auth/tokens";
import { closeDb, db } from "@/lib/db";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    project: { type: "string" },
    description: { type: "string" },
    id: { type: "string" },
    "read-only": { type: "boolean", default: false },
  },
});

function projectId(): number {
  const id = Number(values.project);
  if (!Number.isInteger(id) || id <= 0) throw new Error("--project <id> is required");
  return id;
}

async function main() {
  const [command, name] = positionals;
  switch (command) {
    case "project": {
      if (!name) throw new Error('usage: project "<name>"');
      const project = await db().project.create({ data: { name } });
      const token = await createToken({ db: db(), projectId: project.id, description: values.description ?? "admin" });
      console.log(`Project ${project.id} "${project.name}" created.\nToken (shown once): ${token.secret}`);
      break;
    }
    case "create": {
      if (!values.description) throw new Error("--description is required");
      const token = await createToken({
        db: db(),
        projectId: projectId(),
        description: values.description,
        permission: values["read-only"] ? "read" : "manage",
      });
      console.log(`Token ${token.id} created (shown once): ${token.secret}`);
      break;
    }
    case "list":
      for (const t of await listTokens({ db: db(), projectId: projectId() })) {
        console.log(`${t.id}\t${t.permission}\t${t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : "active"}\t${t.description}`);
      }
      break;
    case "revoke":
      if (!values.id) throw new Error("--id is required");
      await revokeToken({ db: db(), projectId: projectId(), id: values.id });
      console.log(`Token ${values.id} revoked.`);
      break;
    default:
      throw new Error("commands: project, create, list, revoke");
  }
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(() => closeDb());
