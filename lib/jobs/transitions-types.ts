/** How the work of a job ended, as a worker reports it; the state machine turns it into a status. */
export type JobOutcome = "succeed" | "warn" | "fail";
