-- Activation partitioned by model (PARTITION BY LIST ("modelId")): one partition per model, created
-- by a trigger on "Model" in the transaction that inserts the model, so rows never arrive before
-- their partition. Converts an existing database in place: the old table steps aside, its rows are
-- copied into the partitioned one, then it is dropped. Why (Activation only, no DEFAULT partition)
-- and what was measured: docs/scaling.md, "On one Postgres: partitions by model".

-- A partition's name for any model id: a readable prefix and a hash of the full id, so ids with
-- quotes, other characters or > 63 bytes still give a valid, distinct name (max 11+1+40+1+8 bytes).
CREATE FUNCTION "model_partition_name"(parent text, model_id text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT
  AS $$ SELECT parent || '_' || left(regexp_replace(lower(model_id), '[^a-z0-9]+', '_', 'g'), 40) || '_' || left(md5(model_id), 8) $$;
--> statement-breakpoint
-- Creates the model's partition of Activation if missing. Idempotent; concurrent callers are
-- serialized by a transaction-scoped advisory lock taken before any table lock. A standalone table
-- then ATTACH (SHARE UPDATE EXCLUSIVE on the parent) rather than CREATE TABLE … PARTITION OF
-- (ACCESS EXCLUSIVE), so creating a model does not block reads and writes of the others.
CREATE FUNCTION "ensure_model_partitions"(model_id text) RETURNS void
  LANGUAGE plpgsql
  AS $$
DECLARE
  parent text;
  part text;
BEGIN
  PERFORM pg_advisory_xact_lock(7349211002);
  FOREACH parent IN ARRAY ARRAY['Activation'] LOOP
    part := model_partition_name(parent, model_id);
    CONTINUE WHEN EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                          WHERE i.inhparent = format('%I', parent)::regclass AND c.relname = part);
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I (LIKE %I INCLUDING DEFAULTS)', part, parent);
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES IN (%L)', parent, part, model_id);
  END LOOP;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "model_partitions_on_insert"() RETURNS trigger
  LANGUAGE plpgsql
  AS $$ BEGIN PERFORM ensure_model_partitions(NEW."id"); RETURN NULL; END $$;
--> statement-breakpoint
-- The old table steps aside under another name, without its constraints and indexes (the
-- partitioned table takes those names).
ALTER TABLE "Activation" RENAME TO "Activation_unpartitioned";--> statement-breakpoint
ALTER TABLE "Activation_unpartitioned" DROP CONSTRAINT "Activation_pkey";--> statement-breakpoint
ALTER TABLE "Activation_unpartitioned" DROP CONSTRAINT "Activation_neuron_fkey";--> statement-breakpoint
DROP INDEX "Activation_feature_maxValue_idx";--> statement-breakpoint
-- The partitioned table: same columns in the same order. Key, index and foreign key come after the
-- rows: built and validated in bulk, not maintained and checked row by row.
CREATE TABLE "Activation" (LIKE "Activation_unpartitioned" INCLUDING DEFAULTS) PARTITION BY LIST ("modelId");--> statement-breakpoint
-- One partition per existing model, then the rows (each lands in its model's partition).
SELECT "ensure_model_partitions"("id") FROM "Model" ORDER BY "id";--> statement-breakpoint
INSERT INTO "Activation" SELECT * FROM "Activation_unpartitioned";--> statement-breakpoint
DROP TABLE "Activation_unpartitioned";--> statement-breakpoint
ALTER TABLE "Activation" ADD CONSTRAINT "Activation_pkey" PRIMARY KEY("modelId","id");--> statement-breakpoint
ALTER TABLE "Activation" ADD CONSTRAINT "Activation_neuron_fkey" FOREIGN KEY ("modelId","layer","index") REFERENCES "public"."Neuron"("modelId","layer","index") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "Activation_feature_maxValue_idx" ON "Activation" USING btree ("modelId","layer","index","maxValue" DESC NULLS LAST);--> statement-breakpoint
CREATE TRIGGER "Model_partitions" AFTER INSERT ON "Model" FOR EACH ROW EXECUTE FUNCTION "model_partitions_on_insert"();--> statement-breakpoint
ANALYZE "Activation";
