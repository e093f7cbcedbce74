ALTER TABLE "ImportedFile" ALTER COLUMN "completedAt" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "ImportedFile" ADD COLUMN "parentMissing" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Files recorded before parentMissing existed: those of tables whose rows need a parent and that had rejects are retried once (idempotent), so rows lost to a failed parent file come back.
UPDATE "ImportedFile" SET "parentMissing" = "rejected" WHERE "rejected" > 0 AND "tableName" IN ('SourceSet', 'Source', 'Neuron', 'Activation', 'Explanation');
