-- Wakes the senders (lib/notifications/sender.ts) when a delivery becomes due, instead of leaving
-- it to their next poll: one NOTIFY on `jobdeck_deliveries` per statement that leaves a delivery
-- pending and due, whoever writes it (the outbox trigger in the statement that ends a job, the
-- job-processing-long check, "Send a test", "Send again"). PostgreSQL sends it at commit, so a
-- sender never looks before the row is visible, and folds identical ones within a transaction.
-- The senders' own writes (a claim: sending; a retry: due later) send nothing; retries coming due
-- and leases running out are still found by the poll.
-- The second of slack: a writer's clock (sendAgain's `nextAttemptAt` is the app's) may run a little
-- ahead of the database's; a wake for a row due a moment later costs one empty claim.
CREATE FUNCTION jobdeck_notify_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM due_rows WHERE status = 'pending' AND "nextAttemptAt" <= now() AT TIME ZONE 'UTC' + interval '1 second') THEN
    PERFORM pg_notify('jobdeck_deliveries', '');
  END IF;
  RETURN NULL;
END;
$$;

-- A trigger with transition tables takes one event: one for inserts, one for updates.
CREATE TRIGGER "NotificationDelivery_inserted_notify" AFTER INSERT ON "NotificationDelivery" REFERENCING NEW TABLE AS due_rows
  FOR EACH STATEMENT EXECUTE FUNCTION jobdeck_notify_deliveries();
CREATE TRIGGER "NotificationDelivery_updated_notify" AFTER UPDATE ON "NotificationDelivery" REFERENCING NEW TABLE AS due_rows
  FOR EACH STATEMENT EXECUTE FUNCTION jobdeck_notify_deliveries();
