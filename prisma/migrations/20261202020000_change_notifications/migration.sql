-- What changed, for the web servers' poll caches (lib/api/poll-cache.ts): they answer unchanged
-- polls themselves and must hear of every write that could change an answer, whoever makes it
-- (an API request, a worker on another machine, a script with psql). One NOTIFY on
-- `jobdeck_changes` per statement and project (identical ones within a transaction are sent once):
--   jobs <projectId> <rootRunId>…   events <projectId> <rootRunId>…   (* for more than 32 runs)
--   configs <projectId>             auth  (a token or session changed or ended)

CREATE FUNCTION jobdeck_notify_runs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  change text;
BEGIN
  FOR change IN
    SELECT TG_ARGV[0] || ' ' || "projectId" || ' ' ||
           CASE WHEN count(DISTINCT root) > 32 THEN '*' ELSE coalesce(string_agg(DISTINCT root, ' '), '') END
    FROM (SELECT "projectId", split_part("runId", '.', 1) AS root FROM changed_rows) rows
    GROUP BY "projectId"
  LOOP
    PERFORM pg_notify('jobdeck_changes', change);
  END LOOP;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Job_inserted_notify" AFTER INSERT ON "Job" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION jobdeck_notify_runs('jobs');
CREATE TRIGGER "Job_updated_notify" AFTER UPDATE ON "Job" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION jobdeck_notify_runs('jobs');
CREATE TRIGGER "JobEvent_inserted_notify" AFTER INSERT ON "JobEvent" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION jobdeck_notify_runs('events');

CREATE FUNCTION jobdeck_notify_configs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('jobdeck_changes', 'configs ' || coalesce(NEW."projectId", OLD."projectId"));
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Configuration_changed_notify" AFTER INSERT OR UPDATE OR DELETE ON "Configuration"
  FOR EACH ROW EXECUTE FUNCTION jobdeck_notify_configs();

CREATE FUNCTION jobdeck_notify_auth() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('jobdeck_changes', 'auth');
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Token_changed_notify" AFTER UPDATE OR DELETE ON "Token"
  FOR EACH STATEMENT EXECUTE FUNCTION jobdeck_notify_auth();
CREATE TRIGGER "Session_changed_notify" AFTER UPDATE OR DELETE ON "Session"
  FOR EACH STATEMENT EXECUTE FUNCTION jobdeck_notify_auth();
