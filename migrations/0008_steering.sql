CREATE TYPE "public"."SteerOutputType" AS ENUM('DEFAULT', 'STEERED');--> statement-breakpoint
CREATE TABLE "SteerOutput" (
	"id" text PRIMARY KEY NOT NULL,
	"type" "SteerOutputType" NOT NULL,
	"modelId" text NOT NULL,
	"steerSpecialTokens" boolean DEFAULT false NOT NULL,
	"inputText" text NOT NULL,
	"inputTextMd5" text,
	"inputTextChatTemplate" text,
	"inputTextChatTemplateMd5" text,
	"outputText" text NOT NULL,
	"outputTextChatTemplate" text,
	"temperature" double precision NOT NULL,
	"numTokens" integer NOT NULL,
	"freqPenalty" double precision NOT NULL,
	"seed" double precision NOT NULL,
	"strengthMultiplier" double precision NOT NULL,
	"steerMethod" text DEFAULT 'SIMPLE_ADDITIVE' NOT NULL,
	"createdAt" timestamp (3) DEFAULT now() NOT NULL,
	"creatorId" text,
	"version" integer DEFAULT 1 NOT NULL,
	"logprobs" text,
	"connectedDefaultOutputId" text,
	"capMonitorOutput" text
);
--> statement-breakpoint
CREATE TABLE "SteerOutputToNeuron" (
	"modelId" text NOT NULL,
	"layer" text NOT NULL,
	"index" text NOT NULL,
	"strength" double precision NOT NULL,
	"steerOutputId" text NOT NULL,
	CONSTRAINT "SteerOutputToNeuron_pkey" PRIMARY KEY("steerOutputId","modelId","layer","index","strength")
);
--> statement-breakpoint
ALTER TABLE "SteerOutput" ADD CONSTRAINT "SteerOutput_modelId_Model_id_fk" FOREIGN KEY ("modelId") REFERENCES "public"."Model"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "SteerOutput" ADD CONSTRAINT "SteerOutput_connectedDefaultOutputId_SteerOutput_id_fk" FOREIGN KEY ("connectedDefaultOutputId") REFERENCES "public"."SteerOutput"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "SteerOutputToNeuron" ADD CONSTRAINT "SteerOutputToNeuron_steerOutputId_SteerOutput_id_fk" FOREIGN KEY ("steerOutputId") REFERENCES "public"."SteerOutput"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "SteerOutputToNeuron" ADD CONSTRAINT "SteerOutputToNeuron_neuron_fkey" FOREIGN KEY ("modelId","layer","index") REFERENCES "public"."Neuron"("modelId","layer","index") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "steerIndex" ON "SteerOutput" USING btree ("modelId","type","inputTextMd5","temperature","numTokens","freqPenalty","seed","strengthMultiplier","version","steerSpecialTokens","steerMethod");--> statement-breakpoint
CREATE INDEX "steerIndex2" ON "SteerOutput" USING btree ("modelId","type","inputTextChatTemplateMd5","temperature","numTokens","freqPenalty","seed","strengthMultiplier","version","steerSpecialTokens","steerMethod");--> statement-breakpoint
CREATE INDEX "SteerOutputToNeuron_modelId_layer_index_idx" ON "SteerOutputToNeuron" USING btree ("modelId","layer","index");