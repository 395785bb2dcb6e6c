/** The one error type the API speaks. `code` is for programs, `message` for people. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }

  toJSON() {
    return {
      error: this.message,
      code: this.code,
      status: this.status,
      ...(this.field ? { field: this.field } : {}),
    };
  }
}

export const badRequest = (code: string, message: string, field?: string) => new ApiError(400, code, message, field);
export const unauthorized = (message = "A valid X-StorageApi-Token header is required.") =>
  new ApiError(401, "unauthorized", message);
export const forbidden = (message: string) => new ApiError(403, "forbidden", message);
export const notFound = (what: string) => new ApiError(404, "notFound", `${what} was not found.`);
export const invalidInput = (message: string, field?: string) => new ApiError(422, "invalidInput", message, field);

/** A 429: the answer carries `Retry-After` (lib/api/handler.ts errorResponse). */
export class TooManyRequestsError extends ApiError {
  constructor(
    code: string,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, code, message);
  }
}
