export const EVENT_TYPES = ["info", "warn", "error", "success"] as const;
export type EventType = (typeof EVENT_TYPES)[number];
