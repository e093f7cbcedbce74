// Column helpers shared by the schema files, so every table spells Prisma's types the same way.
import { doublePrecision, integer, text, timestamp } from 'drizzle-orm/pg-core';

/** Prisma `DateTime @default(now())`: timestamp(3) without time zone, read as a JS Date (ISO in JSON). */
export const createdAt = (name = 'createdAt') => timestamp(name, { precision: 3, mode: 'date' }).notNull().defaultNow();

/** Prisma `Float[] @default([])`: double precision, so stored vectors read back bit-identical. */
export const floatArray = (name: string) => doublePrecision(name).array().notNull().default([]);

/** Prisma `Int[] @default([])`. */
export const intArray = (name: string) => integer(name).array().notNull().default([]);

/** Prisma `String[] @default([])`. */
export const textArray = (name: string) => text(name).array().notNull().default([]);
