export const TOKEN_PERMISSIONS = ["manage", "read"] as const;
export type TokenPermission = (typeof TOKEN_PERMISSIONS)[number];
