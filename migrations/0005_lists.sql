CREATE TABLE "List" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text NOT NULL,
	"defaultTestText" text,
	"userId" text NOT NULL,
	"createdAt" timestamp (3) DEFAULT now() NOT NULL,
	"updatedAt" timestamp (3) DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ListsOnNeurons" (
	"modelId" text NOT NULL,
	"layer" text NOT NULL,
	"index" text NOT NULL,
	"listId" text NOT NULL,
	"description" text,
	"addedAt" timestamp (3) DEFAULT now() NOT NULL,
	"userId" text NOT NULL,
	CONSTRAINT "ListsOnNeurons_pkey" PRIMARY KEY("modelId","layer","index","listId")
);
--> statement-breakpoint
ALTER TABLE "ListsOnNeurons" ADD CONSTRAINT "ListsOnNeurons_listId_List_id_fk" FOREIGN KEY ("listId") REFERENCES "public"."List"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ListsOnNeurons" ADD CONSTRAINT "ListsOnNeurons_neuron_fkey" FOREIGN KEY ("modelId","layer","index") REFERENCES "public"."Neuron"("modelId","layer","index") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "List_userId_idx" ON "List" USING btree ("userId");--> statement-breakpoint
CREATE INDEX "ListsOnNeurons_listId_idx" ON "ListsOnNeurons" USING btree ("listId");