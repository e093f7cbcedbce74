import { pgEnum } from 'drizzle-orm/pg-core';

/** Who may read a model, source set or source (Prisma enum `Visibility`). UNLISTED is readable by anyone with the name but not listed. */
export const visibility = pgEnum('Visibility', ['PUBLIC', 'UNLISTED', 'PRIVATE']);
export type Visibility = (typeof visibility.enumValues)[number];
