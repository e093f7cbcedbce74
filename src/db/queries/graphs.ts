// Attribution graphs: their metadata, subgraphs and upload URLs.
import { and, count, desc, eq, gte, sql } from 'drizzle-orm';
import { createId } from '@paralleldrive/cuid2';
import type { Db } from '../client.js';
import { graphMetadata, graphMetadataDataPutRequest, graphMetadataSubgraph, user } from '../schema/index.js';

export type GraphRow = typeof graphMetadata.$inferSelect;
export type PutRequestRow = typeof graphMetadataDataPutRequest.$inferSelect;

export async function insertPutRequest(db: Db, values: Omit<typeof graphMetadataDataPutRequest.$inferInsert, 'id'> & { id?: string }) {
  const [row] = await db
    .insert(graphMetadataDataPutRequest)
    .values({ id: createId(), ...values })
    .returning();
  return row!;
}

export async function setPutRequestUrl(db: Db, id: string, url: string) {
  await db.update(graphMetadataDataPutRequest).set({ url }).where(eq(graphMetadataDataPutRequest.id, id));
}

export async function findPutRequest(db: Db, id: string) {
  const [row] = await db.select().from(graphMetadataDataPutRequest).where(eq(graphMetadataDataPutRequest.id, id)).limit(1);
  return row;
}

/** Upload URLs made from one address since `since` (upstream's per-IP daily cap). */
export async function countPutRequestsFrom(db: Db, ipAddress: string, since: Date) {
  const [row] = await db
    .select({ n: count() })
    .from(graphMetadataDataPutRequest)
    .where(and(eq(graphMetadataDataPutRequest.ipAddress, ipAddress), gte(graphMetadataDataPutRequest.createdAt, since)));
  return Number(row?.n ?? 0);
}

/** Takes an upload URL for one PUT: true for exactly one caller while it is PENDING. */
export async function claimPutRequest(db: Db, id: string) {
  const rows = await db
    .update(graphMetadataDataPutRequest)
    .set({ state: 'UPLOADING' })
    .where(and(eq(graphMetadataDataPutRequest.id, id), eq(graphMetadataDataPutRequest.state, 'PENDING')))
    .returning({ id: graphMetadataDataPutRequest.id });
  return rows.length === 1;
}

export async function finishPutRequest(db: Db, id: string, ok: boolean, sizeBytes: number | null, contentEncoding: string | null) {
  await db
    .update(graphMetadataDataPutRequest)
    .set(ok ? { state: 'UPLOADED', sizeBytes, contentEncoding } : { state: 'PENDING' })
    .where(eq(graphMetadataDataPutRequest.id, id));
}

const graphWithUser = { graph: graphMetadata, userName: user.name };

export async function findGraph(db: Db, modelId: string, slug: string) {
  const [row] = await db
    .select(graphWithUser)
    .from(graphMetadata)
    .leftJoin(user, eq(user.id, graphMetadata.userId))
    .where(and(eq(graphMetadata.modelId, modelId), eq(graphMetadata.slug, slug)))
    .limit(1);
  return row;
}

export async function listGraphsOf(db: Db, userId: string) {
  return db.select().from(graphMetadata).where(eq(graphMetadata.userId, userId)).orderBy(desc(graphMetadata.updatedAt));
}

/** Inserts the graph, or replaces the one with the same model and slug; returns the new row. */
export async function upsertGraph(db: Db, values: Omit<typeof graphMetadata.$inferInsert, 'id'>) {
  const { modelId, slug, ...rest } = values;
  const [row] = await db
    .insert(graphMetadata)
    .values({ id: createId(), modelId, slug, ...rest })
    .onConflictDoUpdate({ target: [graphMetadata.modelId, graphMetadata.slug], set: { ...rest, updatedAt: sql`now()` } })
    .returning();
  return row!;
}

export async function deleteGraph(db: Db, id: string) {
  await db.delete(graphMetadata).where(eq(graphMetadata.id, id));
}

export async function insertSubgraph(db: Db, values: Omit<typeof graphMetadataSubgraph.$inferInsert, 'id'>) {
  const [row] = await db
    .insert(graphMetadataSubgraph)
    .values({ id: createId(), ...values })
    .returning();
  return row!;
}

export async function findSubgraph(db: Db, id: string) {
  const [row] = await db.select().from(graphMetadataSubgraph).where(eq(graphMetadataSubgraph.id, id)).limit(1);
  return row;
}

export async function updateSubgraph(db: Db, id: string, values: Partial<typeof graphMetadataSubgraph.$inferInsert>) {
  await db
    .update(graphMetadataSubgraph)
    .set({ ...values, updatedAt: sql`now()` })
    .where(eq(graphMetadataSubgraph.id, id));
}

export async function deleteSubgraph(db: Db, id: string) {
  await db.delete(graphMetadataSubgraph).where(eq(graphMetadataSubgraph.id, id));
}

/** A user's subgraphs of one graph, newest first, each with its owner's name and id (upstream's `include: user`). */
export async function listSubgraphsOf(db: Db, userId: string, graphId: string) {
  const rows = await db
    .select({ subgraph: graphMetadataSubgraph, userName: user.name })
    .from(graphMetadataSubgraph)
    .innerJoin(user, eq(user.id, graphMetadataSubgraph.userId))
    .where(and(eq(graphMetadataSubgraph.userId, userId), eq(graphMetadataSubgraph.graphMetadataId, graphId)))
    .orderBy(desc(graphMetadataSubgraph.createdAt));
  return rows.map((r) => ({ ...r.subgraph, user: { name: r.userName, id: r.subgraph.userId } }));
}
