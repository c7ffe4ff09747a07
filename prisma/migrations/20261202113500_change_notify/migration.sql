-- Change notifications (issue 16): every statement that adds to the change feed signals `passerelle_changes` on
-- commit, so that each instance (its subscriptions and webhook dispatcher) reads the feed now instead of at its
-- next poll. PostgreSQL folds identical notifications of one transaction into one, so an import batch of 1,000
-- rows signals once. The payload is empty: listeners read the feed from their own cursor (the feed, not the
-- signal, says what changed and in which order), and no record data travels on the channel.
CREATE FUNCTION "notify_changes"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('passerelle_changes', '');
  RETURN NULL;
END $$;

CREATE TRIGGER "changes_notify" AFTER INSERT ON "changes"
  FOR EACH STATEMENT EXECUTE FUNCTION "notify_changes"();
