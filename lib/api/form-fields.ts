// Form bodies as Keboola's Storage API takes them (PHP's rules): `a=1&b=2`, arrays as `a[]=x&a[]=y`,
// `a[0]=x`, a repeated plain key (`a=x&a=y`, as Python's requests sends a list), and objects as
// `a[key]=v`, nested (`a[0][key]=v`). The result is what the JSON body would have been, with every
// leaf a string; the zod schemas accept those strings where they take numbers and booleans.

export const MAX_FORM_DEPTH = 16;

export class FormFieldError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

type Node = string | Node[] | { [key: string]: Node };

/** `a[b][]` → ["a", "b", ""]; a key with unbalanced brackets is taken whole, as PHP does. */
function splitKey(raw: string): string[] {
  const open = raw.indexOf("[");
  if (open <= 0 || !raw.endsWith("]")) return [raw];
  const parts: string[] = [raw.slice(0, open)];
  const rest = raw.slice(open);
  const pattern = /\[([^[\]]*)\]/g;
  let consumed = 0;
  for (const match of rest.matchAll(pattern)) {
    if (match.index !== consumed) return [raw];
    parts.push(match[1] ?? "");
    consumed += match[0].length;
  }
  return consumed === rest.length ? parts : [raw];
}

function isObject(node: Node | undefined): node is { [key: string]: Node } {
  return typeof node === "object" && node !== null && !Array.isArray(node);
}

/** The fields of a form as a JSON-like value (see the top of this file). */
export function formToObject(fields: Iterable<[string, string]>): Record<string, Node> {
  const root: Record<string, Node> = {};
  for (const [rawKey, value] of fields) {
    const path = splitKey(rawKey);
    if (path.length > MAX_FORM_DEPTH) throw new FormFieldError(`${path[0]}: nested deeper than ${MAX_FORM_DEPTH} levels`, path[0]!);
    if (path.length === 1) {
      const key = path[0]!;
      const existing = root[key];
      if (existing === undefined) root[key] = value;
      else if (Array.isArray(existing)) existing.push(value);
      else if (typeof existing === "string") root[key] = [existing, value];
      else throw new FormFieldError(`${key}: given both as a value and as an object`, key);
      continue;
    }
    let parent: Node[] | { [key: string]: Node } = root;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!;
      const following = path[i + 1] ?? "";
      const last = i === path.length - 1;
      const field = path.slice(0, i + 1).join(".");
      if (Array.isArray(parent)) {
        // An array takes appends (`[]`) and indexes in order (`[0]`, `[1]`, …); other keys make no sense.
        const index: number = segment === "" ? parent.length : /^\d{1,6}$/.test(segment) ? Number(segment) : -1;
        if (index < 0 || index > parent.length) throw new FormFieldError(`${field}: array items go in order ([], [0], [1], …)`, field);
        if (last) {
          parent[index] = value;
          break;
        }
        const next: Node = parent[index] ?? (following === "" || /^\d+$/.test(following) ? [] : {});
        if (typeof next === "string") throw new FormFieldError(`${field}: given both as a value and as a list or object`, field);
        parent[index] = next;
        parent = next;
        continue;
      }
      if (last) {
        if (parent[segment] !== undefined && typeof parent[segment] !== "string") throw new FormFieldError(`${field}: given both as a value and as a list or object`, field);
        parent[segment] = value;
        break;
      }
      const wantsArray = following === "" || /^\d+$/.test(following);
      let next: Node | undefined = parent[segment];
      if (next === undefined) {
        next = wantsArray ? [] : {};
        parent[segment] = next;
      }
      // `a[0]=x&a[key]=y`: PHP makes an object; so do we, keeping the index as a key.
      if (Array.isArray(next) && !wantsArray) {
        next = Object.fromEntries(next.map((v, n) => [String(n), v]));
        parent[segment] = next;
      }
      if (typeof next === "string") throw new FormFieldError(`${field}: given both as a value and as a list or object`, field);
      if (isObject(next) || Array.isArray(next)) parent = next;
    }
  }
  return root;
}
