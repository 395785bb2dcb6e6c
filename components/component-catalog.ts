// Names and kinds of components for labels. The registry comes from GET /v2/storage/components;
// until it has loaded, or for an id it does not know, the name and kind are guessed from the id.

export type ComponentKind = "extractor" | "writer" | "transformation" | "orchestrator" | "application";

export type ComponentInfo = { id: string; name: string; kind: ComponentKind };

const KINDS: readonly string[] = ["extractor", "writer", "transformation", "orchestrator", "application"];

export function toComponentKind(type: string): ComponentKind {
  return KINDS.includes(type) ? (type as ComponentKind) : "application";
}

function guessKind(id: string): ComponentKind {
  if (/(^|[.-])ex-/.test(id)) return "extractor";
  if (/(^|[.-])wr-/.test(id)) return "writer";
  if (/transformation/.test(id)) return "transformation";
  if (/orchestrat|flow/.test(id)) return "orchestrator";
  return "application";
}

function guessName(id: string): string {
  const last = id.split(".").at(-1) ?? id;
  const words = last.replace(/^(ex|wr)-/, "").replace(/-v\d+$/, "").split(/[-_]+/).filter(Boolean);
  return words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join(" ") || id;
}

export function guessComponentInfo(id: string): ComponentInfo {
  return { id, name: guessName(id), kind: guessKind(id) };
}
