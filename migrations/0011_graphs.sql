CREATE TABLE "GraphMetadata" (
	"id" text PRIMARY KEY NOT NULL,
	"modelId" text NOT NULL,
	"sourceSetName" text,
	"slug" text NOT NULL,
	"promptTokens" text[] DEFAULT '{}' NOT NULL,
	"prompt" text NOT NULL,
	"titlePrefix" text DEFAULT '' NOT NULL,
	"isFeatured" boolean DEFAULT false NOT NULL,
	"url" text NOT NULL,
	"userId" text,
	"visibility" "Visibility" DEFAULT 'PUBLIC' NOT NULL,
	"storageKey" text NOT NULL,
	"sizeBytes" bigint NOT NULL,
	"contentEncoding" text,
	"createdAt" timestamp (3) DEFAULT now() NOT NULL,
	"updatedAt" timestamp (3) DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "GraphMetadataDataPutRequest" (
	"id" text PRIMARY KEY NOT NULL,
	"ipAddress" text NOT NULL,
	"filename" text NOT NULL,
	"url" text NOT NULL,
	"userId" text,
	"storageKey" text NOT NULL,
	"contentLength" bigint,
	"expiresAt" timestamp (3) NOT NULL,
	"state" text DEFAULT 'PENDING' NOT NULL,
	"sizeBytes" bigint,
	"contentEncoding" text,
	"createdAt" timestamp (3) DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "GraphMetadataSubgraph" (
	"id" text PRIMARY KEY NOT NULL,
	"displayName" text,
	"graphMetadataId" text NOT NULL,
	"pinnedIds" text[] DEFAULT '{}' NOT NULL,
	"supernodes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"clerps" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"pruningThreshold" double precision,
	"densityThreshold" double precision,
	"userId" text NOT NULL,
	"isFeaturedSolution" boolean DEFAULT false NOT NULL,
	"createdAt" timestamp (3) DEFAULT now() NOT NULL,
	"updatedAt" timestamp (3) DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "GraphMetadata" ADD CONSTRAINT "GraphMetadata_modelId_Model_id_fk" FOREIGN KEY ("modelId") REFERENCES "public"."Model"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "GraphMetadata" ADD CONSTRAINT "GraphMetadata_userId_User_id_fk" FOREIGN KEY ("userId") REFERENCES "public"."User"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "GraphMetadataDataPutRequest" ADD CONSTRAINT "GraphMetadataDataPutRequest_userId_User_id_fk" FOREIGN KEY ("userId") REFERENCES "public"."User"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "GraphMetadataSubgraph" ADD CONSTRAINT "GraphMetadataSubgraph_graphMetadataId_GraphMetadata_id_fk" FOREIGN KEY ("graphMetadataId") REFERENCES "public"."GraphMetadata"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "GraphMetadataSubgraph" ADD CONSTRAINT "GraphMetadataSubgraph_userId_User_id_fk" FOREIGN KEY ("userId") REFERENCES "public"."User"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "GraphMetadata_modelId_slug_key" ON "GraphMetadata" USING btree ("modelId","slug");--> statement-breakpoint
CREATE INDEX "GraphMetadata_userId_idx" ON "GraphMetadata" USING btree ("userId");--> statement-breakpoint
CREATE INDEX "GraphMetadata_modelId_sourceSetName_idx" ON "GraphMetadata" USING btree ("modelId","sourceSetName");--> statement-breakpoint
CREATE INDEX "GraphMetadataDataPutRequest_ipAddress_idx" ON "GraphMetadataDataPutRequest" USING btree ("ipAddress");--> statement-breakpoint
CREATE INDEX "GraphMetadataDataPutRequest_userId_idx" ON "GraphMetadataDataPutRequest" USING btree ("userId");--> statement-breakpoint
CREATE INDEX "GraphMetadataSubgraph_graphMetadataId_idx" ON "GraphMetadataSubgraph" USING btree ("graphMetadataId");--> statement-breakpoint
CREATE INDEX "GraphMetadataSubgraph_userId_idx" ON "GraphMetadataSubgraph" USING btree ("userId");