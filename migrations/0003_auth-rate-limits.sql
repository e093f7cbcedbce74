CREATE TABLE "RateLimitCounter" (
	"key" text NOT NULL,
	"group" text NOT NULL,
	"windowStart" timestamp (3) NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "RateLimitCounter_key_group_window_key" PRIMARY KEY("key","group","windowStart")
);
--> statement-breakpoint
ALTER TABLE "User" ADD COLUMN "rateLimits" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
CREATE INDEX "RateLimitCounter_windowStart_idx" ON "RateLimitCounter" USING btree ("windowStart");