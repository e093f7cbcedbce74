CREATE TABLE "PageSession" (
	"id" text PRIMARY KEY NOT NULL,
	"userId" text NOT NULL,
	"apiKeyId" text NOT NULL,
	"csrfToken" text NOT NULL,
	"createdAt" timestamp (3) DEFAULT now() NOT NULL,
	"expiresAt" timestamp (3) NOT NULL
);
--> statement-breakpoint
ALTER TABLE "PageSession" ADD CONSTRAINT "PageSession_userId_User_id_fk" FOREIGN KEY ("userId") REFERENCES "public"."User"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "PageSession" ADD CONSTRAINT "PageSession_apiKeyId_ApiKey_id_fk" FOREIGN KEY ("apiKeyId") REFERENCES "public"."ApiKey"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "PageSession_userId_idx" ON "PageSession" USING btree ("userId");--> statement-breakpoint
CREATE INDEX "PageSession_expiresAt_idx" ON "PageSession" USING btree ("expiresAt");