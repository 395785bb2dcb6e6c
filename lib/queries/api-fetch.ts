/** An API error as the browser sees it: the API's `{error, code, status}`, or a network failure (status 0). */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "ApiRequestError";
  }
}

export function isApiRequestError(error: unknown, status?: number): error is ApiRequestError {
  return error instanceof ApiRequestError && (status === undefined || error.status === status);
}

/** Query parameters; arrays repeat the key (`status=a&status=b`), as the API reads them. */
export type QueryParams = Record<string, string | readonly string[] | boolean | number | null | undefined>;

export function toQueryString(params: QueryParams): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const item of value) search.append(key, item);
    else search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

type FetchOptions = {
  method?: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  params?: QueryParams;
  body?: unknown;
  signal?: AbortSignal;
};

/**
 * Fetches one of our API routes with the session cookie. The answer is typed by the caller with the
 * shared schema's type (`apiFetch<JobJson>`): it comes from the same build's routes, which build it
 * from those types, so the browser does not ship zod to check it again (it is most of a page's
 * weight). An answer that is not JSON (a proxy's error page) and every failure become an
 * ApiRequestError carrying the API's message and code.
 */
export async function apiFetch<T>(path: string, options: FetchOptions = {}): Promise<{ data: T; headers: Headers }> {
  const init: RequestInit = {
    method: options.method ?? "GET",
    credentials: "same-origin",
    headers: { Accept: "application/json", ...(options.body !== undefined && { "Content-Type": "application/json" }) },
    signal: options.signal,
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
  };
  let response: Response;
  try {
    response = await fetch(`${path}${toQueryString(options.params ?? {})}`, init);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ApiRequestError(0, "networkError", "Jobdeck could not be reached. Check your connection and try again.");
  }
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204) return { data: null as T, headers: response.headers };
  const json: unknown = await response.json().catch(() => undefined);
  if (json === undefined || !response.headers.get("content-type")?.includes("json")) {
    throw new ApiRequestError(response.status, "invalidResponse", `The server sent an answer this page does not understand (${path}).`);
  }
  return { data: json as T, headers: response.headers };
}

async function errorFrom(response: Response): Promise<ApiRequestError> {
  const body = (await response.json().catch(() => null)) as { error?: unknown; code?: unknown; field?: unknown } | null;
  const message = typeof body?.error === "string" ? body.error : `The request failed (HTTP ${response.status}).`;
  const code = typeof body?.code === "string" ? body.code : "httpError";
  const field = typeof body?.field === "string" ? body.field : undefined;
  return new ApiRequestError(response.status, code, message, field);
}
