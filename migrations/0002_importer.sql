CREATE TABLE "EvalType" (
	"name" text PRIMARY KEY NOT NULL,
	"displayName" text NOT NULL,
	"description" text NOT NULL,
	"longerDescription" text DEFAULT '' NOT NULL,
	"outputSchema" jsonb NOT NULL,
	"featured" boolean DEFAULT false NOT NULL,
	"url" text,
	"createdAt" timestamp (3) DEFAULT now() NOT NULL,
	"updatedAt" timestamp (3) DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ImportedFile" (
	"path" text PRIMARY KEY NOT NULL,
	"location" text NOT NULL,
	"size" bigint NOT NULL,
	"sha256" text NOT NULL,
	"modifiedAt" text,
	"etag" text,
	"tableName" text NOT NULL,
	"lines" integer NOT NULL,
	"rowsInserted" integer NOT NULL,
	"rejected" integer NOT NULL,
	"completedAt" timestamp (3) DEFAULT now() NOT NULL
);
