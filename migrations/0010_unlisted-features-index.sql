DROP INDEX "Neuron_private_idx";--> statement-breakpoint
CREATE INDEX "Neuron_not_public_idx" ON "Neuron" USING btree ("modelId","layer","index") WHERE "Neuron"."visibility" <> 'PUBLIC';