// npm run embed-explanations -- [--model M] [--source S] [--batch N]: embeds every explanation that
// has none (e.g. uploaded while no embedding service was configured) with EMBEDDING_URL. Resumable:
// it only ever looks at explanations still without an embedding.
import { parseArgs } from 'node:util';
import { withCliDatabase } from '../src/cli-database.js';
import { loadConfig } from '../src/config.js';
import { analyzeTables } from '../src/db/analyze.js';
import { explanationsWithoutEmbedding, storeEmbeddings } from '../src/db/queries/explanations.js';
import { runCli } from '../src/run-cli.js';
import { embeddingClient } from '../src/upstream/embeddings.js';

const HELP = `Usage: npm run embed-explanations -- [--model ID] [--source ID] [--batch N]

Embeds explanations that have no embedding, with the OpenAI-compatible endpoint in EMBEDDING_URL
(EMBEDDING_MODEL, EMBEDDING_API_KEY). Safe to stop and run again.`;

await runCli(async () => {
  const { values } = parseArgs({
    options: { model: { type: 'string' }, source: { type: 'string' }, batch: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return console.log(HELP);
  const config = loadConfig();
  if (!config.embeddings) {
    console.error('No embedding service is configured: set EMBEDDING_URL (and EMBEDDING_MODEL, EMBEDDING_API_KEY).');
    process.exitCode = 2;
    return;
  }
  const batch = Number(values.batch ?? 256);
  const client = embeddingClient(config.embeddings);
  await withCliDatabase(async ({ db }) => {
    let afterId = '';
    let done = 0;
    const started = performance.now();
    for (;;) {
      const rows = await explanationsWithoutEmbedding(db, { modelId: values.model, layer: values.source }, afterId, batch);
      if (rows.length === 0) break;
      const vectors = await client.embed(rows.map((r) => r.description));
      await storeEmbeddings(
        db,
        rows.map((r, i) => ({ id: r.id, embedding: vectors[i]! })),
      );
      afterId = rows.at(-1)!.id;
      done += rows.length;
      const seconds = (performance.now() - started) / 1000;
      console.error(`embedded ${done} explanations (${Math.round(done / Math.max(seconds, 0.001))}/s)`);
    }
    // The embedded database has no autovacuum: fresh statistics let search use the HNSW index.
    if (done > 0) await analyzeTables(db, ['Explanation']);
    console.log(`Embedded ${done} explanations with ${client.model}.`);
  });
});
