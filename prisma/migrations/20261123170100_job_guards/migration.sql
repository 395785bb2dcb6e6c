-- Rules the database holds even against a buggy writer. The code asks lib/jobs/state.ts;
-- these constraints repeat only what must never be broken: valid values and final = frozen.

ALTER TABLE "Job" ADD CONSTRAINT "Job_status_check" CHECK (status IN
  ('created', 'waiting', 'processing', 'success', 'error', 'warning', 'terminating', 'cancelled', 'terminated'));
ALTER TABLE "Job" ADD CONSTRAINT "Job_desiredStatus_check" CHECK ("desiredStatus" IN ('processing', 'terminating'));
ALTER TABLE "Job" ADD CONSTRAINT "Job_mode_check" CHECK (mode IN ('run', 'forceRun', 'debug'));
ALTER TABLE "Job" ADD CONSTRAINT "Job_type_check" CHECK (type IN ('standard', 'container', 'phaseContainer', 'orchestrationContainer'));
ALTER TABLE "Job" ADD CONSTRAINT "Job_waitReason_check" CHECK ("waitReason" IS NULL OR "waitReason" IN ('configLock', 'projectLimit', 'phase', 'parallelism'));
ALTER TABLE "StorageJob" ADD CONSTRAINT "StorageJob_status_check" CHECK (status IN ('waiting', 'processing', 'success', 'error'));
ALTER TABLE "JobEvent" ADD CONSTRAINT "JobEvent_type_check" CHECK (type IN ('info', 'warn', 'error', 'success'));
ALTER TABLE "Token" ADD CONSTRAINT "Token_permission_check" CHECK (permission IN ('manage', 'read'));

-- A job in a final status never changes again.
CREATE FUNCTION jobdeck_final_job_is_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status IN ('success', 'warning', 'error', 'cancelled', 'terminated') THEN
    RAISE EXCEPTION 'job % is % and can no longer change', OLD.id, OLD.status
      USING ERRCODE = 'check_violation', CONSTRAINT = 'Job_final_is_frozen';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER "Job_final_is_frozen" BEFORE UPDATE ON "Job"
  FOR EACH ROW EXECUTE FUNCTION jobdeck_final_job_is_frozen();
