// Any /api path no route serves: the API's JSON 404 instead of the dashboard's HTML page.
import { errorResponse } from "@/lib/api/handler";
import { ApiError } from "@/lib/errors";

const noSuchEndpoint = async () => errorResponse(new ApiError(404, "notFound", "There is no API endpoint at this path; see /api/openapi.json."));

export const GET = noSuchEndpoint;
export const POST = noSuchEndpoint;
export const PUT = noSuchEndpoint;
export const DELETE = noSuchEndpoint;
export const PATCH = noSuchEndpoint;
