// The API reference, rendered from the same OpenAPI document the API serves at /api/openapi.json.
type Schema = { type?: string | string[]; enum?: unknown[]; items?: Schema; $ref?: string; description?: string; anyOf?: Schema[] };
type Parameter = { name: string; in: string; required?: boolean; schema?: Schema };
type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, Schema>; required?: string[] } }> };
  responses: Record<string, { description?: string }>;
};
export type ApiDocument = { info: { title: string; description?: string }; servers: { url: string }[]; paths: Record<string, Record<string, Operation>> };

const METHOD_STYLE: Record<string, string> = {
  get: "bg-sky-50 text-sky-800 dark:bg-sky-950 dark:text-sky-300",
  post: "bg-emerald-50 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300",
  put: "bg-amber-50 text-amber-800 dark:bg-amber-950 dark:text-amber-300",
  delete: "bg-rose-50 text-rose-800 dark:bg-rose-950 dark:text-rose-300",
};

function typeOf(schema: Schema | undefined): string {
  if (!schema) return "";
  if (schema.$ref) return schema.$ref.split("/").at(-1)!;
  if (schema.enum) return schema.enum.map(String).join(" | ");
  if (schema.anyOf) return [...new Set(schema.anyOf.map(typeOf))].join(" | ");
  if (schema.type === "array") return `${typeOf(schema.items)}[]`;
  return Array.isArray(schema.type) ? schema.type.join(" | ") : (schema.type ?? "");
}

export function ApiReference({ document }: { document: ApiDocument }) {
  const base = document.servers[0]?.url ?? "/api";
  return (
    <main id="main" className="mx-auto max-w-5xl px-4 py-6 sm:px-6">
      <h1 className="text-2xl font-semibold text-zinc-900 dark:text-zinc-50">API</h1>
      <p className="mt-2 max-w-3xl text-sm text-zinc-600 dark:text-zinc-400">{document.info.description}</p>
      <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
        Base URL <code className="rounded bg-zinc-100 px-1 dark:bg-zinc-800">{base}</code> · machine-readable:{" "}
        <a className="text-indigo-700 underline dark:text-indigo-300" href="/api/openapi.json">
          /api/openapi.json
        </a>
      </p>
      <div className="mt-6 space-y-4">
        {Object.entries(document.paths).flatMap(([path, methods]) =>
          Object.entries(methods).map(([method, op]) => {
            const body = op.requestBody?.content["application/json"]?.schema;
            return (
              <section key={`${method} ${path}`} aria-label={`${method.toUpperCase()} ${path}`} className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
                <h2 className="flex flex-wrap items-center gap-2 font-mono text-sm">
                  <span className={`rounded px-2 py-0.5 text-xs font-semibold uppercase ${METHOD_STYLE[method] ?? ""}`}>{method}</span>
                  <span className="text-zinc-900 dark:text-zinc-100">{path}</span>
                </h2>
                {(op.summary || op.description) && (
                  <p className="mt-2 text-sm text-zinc-700 dark:text-zinc-300">{[op.summary, op.description].filter(Boolean).join(". ")}</p>
                )}
                {op.parameters && op.parameters.length > 0 && (
                  <Fields title="Parameters" rows={op.parameters.map((p) => ({ name: p.name, where: p.in, type: typeOf(p.schema), required: Boolean(p.required) }))} />
                )}
                {body?.properties && (
                  <Fields
                    title="JSON body"
                    rows={Object.entries(body.properties).map(([name, s]) => ({ name, where: "body", type: typeOf(s), required: body.required?.includes(name) ?? false }))}
                  />
                )}
                <p className="mt-3 text-xs text-zinc-500 dark:text-zinc-400">
                  Answers: {Object.entries(op.responses).map(([code, r]) => `${code} ${r.description ?? ""}`.trim()).join(" · ")}
                </p>
              </section>
            );
          }),
        )}
      </div>
    </main>
  );
}

function Fields({ title, rows }: { title: string; rows: { name: string; where: string; type: string; required: boolean }[] }) {
  return (
    <div className="mt-3 overflow-x-auto">
      <table className="w-full text-left text-xs">
        <caption className="mb-1 text-left font-medium text-zinc-700 dark:text-zinc-300">{title}</caption>
        <thead className="text-zinc-500 dark:text-zinc-400">
          <tr>
            <th scope="col" className="py-1 pr-4 font-medium">Name</th>
            <th scope="col" className="py-1 pr-4 font-medium">In</th>
            <th scope="col" className="py-1 pr-4 font-medium">Type</th>
            <th scope="col" className="py-1 font-medium">Required</th>
          </tr>
        </thead>
        <tbody className="font-mono text-zinc-800 dark:text-zinc-200">
          {rows.map((r) => (
            <tr key={`${r.where}-${r.name}`} className="border-t border-zinc-100 dark:border-zinc-800">
              <td className="py-1 pr-4">{r.name}</td>
              <td className="py-1 pr-4">{r.where}</td>
              <td className="max-w-md break-words py-1 pr-4">{r.type}</td>
              <td className="py-1">{r.required ? "yes" : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
