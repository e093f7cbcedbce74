CREATE TYPE "public"."Visibility" AS ENUM('PUBLIC', 'UNLISTED', 'PRIVATE');--> statement-breakpoint
CREATE TABLE "Model" (
	"id" text PRIMARY KEY NOT NULL,
	"displayNameShort" text DEFAULT '' NOT NULL,
	"displayName" text DEFAULT '' NOT NULL,
	"creatorId" text NOT NULL,
	"tlensId" text,
	"openRouterId" text,
	"dimension" integer,
	"thinking" boolean DEFAULT false NOT NULL,
	"visibility" "Visibility" DEFAULT 'PRIVATE' NOT NULL,
	"defaultSourceSetName" text,
	"defaultSourceId" text,
	"defaultGraphSourceSetName" text,
	"inferenceEnabled" boolean DEFAULT false NOT NULL,
	"instruct" boolean DEFAULT false NOT NULL,
	"layers" integer NOT NULL,
	"neuronsPerLayer" integer NOT NULL,
	"createdAt" timestamp (3) DEFAULT now() NOT NULL,
	"owner" text NOT NULL,
	"updatedAt" timestamp (3) DEFAULT now() NOT NULL,
	"website" text
);
--> statement-breakpoint
CREATE TABLE "Source" (
	"id" text NOT NULL,
	"modelId" text NOT NULL,
	"hasDashboards" boolean DEFAULT true NOT NULL,
	"inferenceEnabled" boolean DEFAULT false NOT NULL,
	"saelensConfig" jsonb,
	"saelensRelease" text,
	"saelensSaeId" text,
	"hfRepoId" text,
	"hfFolderId" text,
	"visibility" "Visibility" DEFAULT 'PRIVATE' NOT NULL,
	"defaultOfModelId" text,
	"setName" text NOT NULL,
	"creatorId" text NOT NULL,
	"hasUmap" boolean DEFAULT false NOT NULL,
	"hasUmapLogSparsity" boolean DEFAULT false NOT NULL,
	"hasUmapClusters" boolean DEFAULT false NOT NULL,
	"num_prompts" integer,
	"num_tokens_in_prompt" integer,
	"dataset" text,
	"notes" text,
	"cosSimMatchModelId" text,
	"cosSimMatchSourceId" text,
	"createdAt" timestamp (3) DEFAULT now() NOT NULL,
	CONSTRAINT "Source_modelId_id_key" PRIMARY KEY("modelId","id")
);
--> statement-breakpoint
CREATE TABLE "SourceRelease" (
	"name" text PRIMARY KEY NOT NULL,
	"visibility" "Visibility" DEFAULT 'PRIVATE' NOT NULL,
	"isNewUi" boolean DEFAULT false NOT NULL,
	"featured" boolean DEFAULT false NOT NULL,
	"description" text NOT NULL,
	"descriptionShort" text,
	"urls" text[] NOT NULL,
	"creatorEmail" text,
	"creatorName" text NOT NULL,
	"creatorNameShort" text,
	"creatorId" text NOT NULL,
	"defaultSourceSetName" text,
	"defaultSourceId" text,
	"defaultUmapSourceIds" text[] DEFAULT '{}' NOT NULL,
	"createdAt" timestamp (3) DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "SourceSet" (
	"modelId" text NOT NULL,
	"name" text NOT NULL,
	"hasDashboards" boolean DEFAULT true NOT NULL,
	"allowInferenceSearch" boolean DEFAULT true NOT NULL,
	"visibility" "Visibility" DEFAULT 'PRIVATE' NOT NULL,
	"description" text NOT NULL,
	"type" text DEFAULT '' NOT NULL,
	"creatorName" text NOT NULL,
	"urls" text[] NOT NULL,
	"creatorEmail" text,
	"creatorId" text NOT NULL,
	"releaseName" text,
	"hasGraphs" boolean DEFAULT false NOT NULL,
	"graphEnabled" boolean DEFAULT false NOT NULL,
	"similarityMatrixEnabled" boolean DEFAULT false NOT NULL,
	"defaultOfModelId" text,
	"defaultGraphModelId" text,
	"defaultRange" integer DEFAULT 1 NOT NULL,
	"defaultShowBreaks" boolean DEFAULT true NOT NULL,
	"showDfa" boolean DEFAULT false NOT NULL,
	"showCorrelated" boolean DEFAULT false NOT NULL,
	"showHeadAttribution" boolean DEFAULT false NOT NULL,
	"showUmap" boolean DEFAULT false NOT NULL,
	"createdAt" timestamp (3) DEFAULT now() NOT NULL,
	CONSTRAINT "SourceSet_modelId_name_key" PRIMARY KEY("modelId","name")
);
--> statement-breakpoint
CREATE TABLE "Activation" (
	"id" text PRIMARY KEY NOT NULL,
	"tokens" text[] NOT NULL,
	"dataIndex" text,
	"index" text NOT NULL,
	"layer" text NOT NULL,
	"modelId" text NOT NULL,
	"dataSource" text,
	"maxValue" double precision NOT NULL,
	"maxValueTokenIndex" integer NOT NULL,
	"minValue" double precision NOT NULL,
	"values" double precision[] NOT NULL,
	"dfaValues" double precision[] DEFAULT '{}' NOT NULL,
	"dfaTargetIndex" integer,
	"dfaMaxValue" double precision,
	"zQIndices" integer[] DEFAULT '{}' NOT NULL,
	"zKIndices" integer[] DEFAULT '{}' NOT NULL,
	"zValues" double precision[] DEFAULT '{}' NOT NULL,
	"creatorId" text NOT NULL,
	"createdAt" timestamp (3) DEFAULT now() NOT NULL,
	"lossValues" double precision[] DEFAULT '{}' NOT NULL,
	"logitContributions" text,
	"binMin" double precision,
	"binMax" double precision,
	"binContains" double precision,
	"qualifyingTokenIndex" integer
);
--> statement-breakpoint
CREATE TABLE "Neuron" (
	"modelId" text NOT NULL,
	"layer" text NOT NULL,
	"index" text NOT NULL,
	"sourceSetName" text,
	"creatorId" text,
	"createdAt" timestamp (3) DEFAULT now() NOT NULL,
	"maxActApprox" double precision DEFAULT 0,
	"hasVector" boolean DEFAULT false NOT NULL,
	"vector" double precision[] DEFAULT '{}' NOT NULL,
	"vectorLabel" text,
	"vectorDefaultSteerStrength" double precision DEFAULT 10,
	"hookName" text,
	"topkCosSimIndices" integer[] DEFAULT '{}' NOT NULL,
	"topkCosSimValues" double precision[] DEFAULT '{}' NOT NULL,
	"neuron_alignment_indices" integer[] DEFAULT '{}' NOT NULL,
	"neuron_alignment_values" double precision[] DEFAULT '{}' NOT NULL,
	"neuron_alignment_l1" double precision[] DEFAULT '{}' NOT NULL,
	"correlated_neurons_indices" integer[] DEFAULT '{}' NOT NULL,
	"correlated_neurons_pearson" double precision[] DEFAULT '{}' NOT NULL,
	"correlated_neurons_l1" double precision[] DEFAULT '{}' NOT NULL,
	"correlated_features_indices" integer[] DEFAULT '{}' NOT NULL,
	"correlated_features_pearson" double precision[] DEFAULT '{}' NOT NULL,
	"correlated_features_l1" double precision[] DEFAULT '{}' NOT NULL,
	"neg_str" text[] DEFAULT '{}' NOT NULL,
	"neg_values" double precision[] DEFAULT '{}' NOT NULL,
	"pos_str" text[] DEFAULT '{}' NOT NULL,
	"pos_values" double precision[] DEFAULT '{}' NOT NULL,
	"frac_nonzero" double precision DEFAULT 0 NOT NULL,
	"freq_hist_data_bar_heights" double precision[] DEFAULT '{}' NOT NULL,
	"freq_hist_data_bar_values" double precision[] DEFAULT '{}' NOT NULL,
	"logits_hist_data_bar_heights" double precision[] DEFAULT '{}' NOT NULL,
	"logits_hist_data_bar_values" double precision[] DEFAULT '{}' NOT NULL,
	"decoder_weights_dist" double precision[] DEFAULT '{}' NOT NULL,
	"umap_cluster" integer,
	"umap_log_feature_sparsity" double precision,
	"umap_x" double precision,
	"umap_y" double precision,
	CONSTRAINT "Neuron_modelId_layer_index_key" PRIMARY KEY("modelId","layer","index")
);
--> statement-breakpoint
CREATE TABLE "Explanation" (
	"id" text PRIMARY KEY NOT NULL,
	"modelId" text NOT NULL,
	"layer" text NOT NULL,
	"index" text NOT NULL,
	"embedding" vector(256),
	"description" text NOT NULL,
	"authorId" text NOT NULL,
	"triggeredByUserId" text,
	"notes" text,
	"scoreV1" double precision DEFAULT 0 NOT NULL,
	"scoreV2" double precision,
	"umap_x" double precision DEFAULT 0,
	"umap_y" double precision DEFAULT 0,
	"umap_cluster" integer DEFAULT 0,
	"umap_log_feature_sparsity" double precision DEFAULT 0,
	"typeName" text,
	"explanationModelName" text,
	"createdAt" timestamp (3) DEFAULT now() NOT NULL,
	"updatedAt" timestamp (3) DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ExplanationModelType" (
	"name" text PRIMARY KEY NOT NULL,
	"displayName" text NOT NULL,
	"description" text NOT NULL,
	"featured" boolean DEFAULT true NOT NULL,
	"openRouterModelId" text,
	"url" text,
	"creatorName" text NOT NULL,
	"createdAt" timestamp (3) DEFAULT now() NOT NULL,
	"updatedAt" timestamp (3) DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ExplanationScore" (
	"id" text PRIMARY KEY NOT NULL,
	"initiatedByUserId" text NOT NULL,
	"value" double precision NOT NULL,
	"explanationId" text NOT NULL,
	"explanationScoreTypeName" text NOT NULL,
	"explanationScoreModelName" text NOT NULL,
	"jsonDetails" text DEFAULT '' NOT NULL,
	"createdAt" timestamp (3) DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ExplanationScoreModel" (
	"name" text PRIMARY KEY NOT NULL,
	"displayName" text NOT NULL,
	"description" text NOT NULL,
	"featured" boolean DEFAULT true NOT NULL,
	"openRouterModelId" text,
	"url" text,
	"creatorName" text NOT NULL,
	"createdAt" timestamp (3) DEFAULT now() NOT NULL,
	"updatedAt" timestamp (3) DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ExplanationScoreType" (
	"name" text PRIMARY KEY NOT NULL,
	"displayName" text NOT NULL,
	"description" text NOT NULL,
	"featured" boolean DEFAULT true NOT NULL,
	"isAttention" boolean DEFAULT false NOT NULL,
	"scoreDescription" text,
	"scorerModel" text,
	"settings" text,
	"url" text,
	"creatorName" text NOT NULL,
	"creatorId" text NOT NULL,
	"createdAt" timestamp (3) DEFAULT now() NOT NULL,
	"updatedAt" timestamp (3) DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ExplanationType" (
	"name" text PRIMARY KEY NOT NULL,
	"displayName" text NOT NULL,
	"description" text NOT NULL,
	"featured" boolean DEFAULT true NOT NULL,
	"isAttention" boolean DEFAULT false NOT NULL,
	"explainerModelSettingsId" text,
	"settings" text,
	"url" text,
	"creatorName" text NOT NULL,
	"creatorId" text NOT NULL,
	"createdAt" timestamp (3) DEFAULT now() NOT NULL,
	"updatedAt" timestamp (3) DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ApiKey" (
	"id" text PRIMARY KEY NOT NULL,
	"userId" text NOT NULL,
	"prefix" text NOT NULL,
	"hash" text NOT NULL,
	"createdAt" timestamp (3) DEFAULT now() NOT NULL,
	"lastUsedAt" timestamp (3),
	"revokedAt" timestamp (3)
);
--> statement-breakpoint
CREATE TABLE "User" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"admin" boolean DEFAULT false NOT NULL,
	"bot" boolean DEFAULT false NOT NULL,
	"createdAt" timestamp (3) DEFAULT now() NOT NULL,
	CONSTRAINT "User_name_unique" UNIQUE("name")
);
--> statement-breakpoint
ALTER TABLE "Source" ADD CONSTRAINT "Source_modelId_Model_id_fk" FOREIGN KEY ("modelId") REFERENCES "public"."Model"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "Source" ADD CONSTRAINT "Source_modelId_setName_fkey" FOREIGN KEY ("modelId","setName") REFERENCES "public"."SourceSet"("modelId","name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "SourceSet" ADD CONSTRAINT "SourceSet_modelId_Model_id_fk" FOREIGN KEY ("modelId") REFERENCES "public"."Model"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "Activation" ADD CONSTRAINT "Activation_neuron_fkey" FOREIGN KEY ("modelId","layer","index") REFERENCES "public"."Neuron"("modelId","layer","index") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "Neuron" ADD CONSTRAINT "Neuron_modelId_Model_id_fk" FOREIGN KEY ("modelId") REFERENCES "public"."Model"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "Neuron" ADD CONSTRAINT "Neuron_modelId_layer_fkey" FOREIGN KEY ("modelId","layer") REFERENCES "public"."Source"("modelId","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "Neuron" ADD CONSTRAINT "Neuron_modelId_sourceSetName_fkey" FOREIGN KEY ("modelId","sourceSetName") REFERENCES "public"."SourceSet"("modelId","name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "Explanation" ADD CONSTRAINT "Explanation_modelId_Model_id_fk" FOREIGN KEY ("modelId") REFERENCES "public"."Model"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "Explanation" ADD CONSTRAINT "Explanation_neuron_fkey" FOREIGN KEY ("modelId","layer","index") REFERENCES "public"."Neuron"("modelId","layer","index") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ExplanationScore" ADD CONSTRAINT "ExplanationScore_explanationId_Explanation_id_fk" FOREIGN KEY ("explanationId") REFERENCES "public"."Explanation"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_userId_User_id_fk" FOREIGN KEY ("userId") REFERENCES "public"."User"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "Model_visibility_idx" ON "Model" USING btree ("visibility");--> statement-breakpoint
CREATE INDEX "Model_creatorId_idx" ON "Model" USING btree ("creatorId");--> statement-breakpoint
CREATE INDEX "Source_modelId_setName_idx" ON "Source" USING btree ("modelId","setName");--> statement-breakpoint
CREATE INDEX "Source_visibility_idx" ON "Source" USING btree ("visibility");--> statement-breakpoint
CREATE INDEX "SourceRelease_visibility_idx" ON "SourceRelease" USING btree ("visibility");--> statement-breakpoint
CREATE INDEX "SourceSet_visibility_idx" ON "SourceSet" USING btree ("visibility");--> statement-breakpoint
CREATE INDEX "SourceSet_releaseName_idx" ON "SourceSet" USING btree ("releaseName");--> statement-breakpoint
CREATE INDEX "Activation_feature_maxValue_idx" ON "Activation" USING btree ("modelId","layer","index","maxValue" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "Neuron_creatorId_hasVector_idx" ON "Neuron" USING btree ("creatorId","hasVector");--> statement-breakpoint
CREATE INDEX "Explanation_modelId_layer_index_idx" ON "Explanation" USING btree ("modelId","layer","index");--> statement-breakpoint
CREATE INDEX "Explanation_typeName_explanationModelName_idx" ON "Explanation" USING btree ("typeName","explanationModelName");--> statement-breakpoint
CREATE INDEX "ExplanationScore_explanationId_type_model_idx" ON "ExplanationScore" USING btree ("explanationId","explanationScoreTypeName","explanationScoreModelName");--> statement-breakpoint
CREATE UNIQUE INDEX "ApiKey_hash_key" ON "ApiKey" USING btree ("hash");--> statement-breakpoint
CREATE INDEX "ApiKey_userId_idx" ON "ApiKey" USING btree ("userId");