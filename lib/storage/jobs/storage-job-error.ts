// An expected way for a Storage job to fail (a bad CSV, a table dropped meanwhile): its message is
// written for people and stored on the job. Anything else ends the job with a generic message and
// the details go to the server log.
export class StorageJobError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "StorageJobError";
  }
}
