-- Custom migration: drizzle-kit does not emit CREATE EXTENSION, and the schema's vector(256) needs it.
CREATE EXTENSION IF NOT EXISTS vector;
