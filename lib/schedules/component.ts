/** The component a schedule is a configuration of, as in Keboola. */
export const SCHEDULER_COMPONENT = "keboola.scheduler";
