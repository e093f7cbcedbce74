/** Upstream's `bot` user (seeded on neuronpedia.org): the creator of imported data and of the shared vector sources. */
export const DEFAULT_CREATOR_ID = 'clkht01d40000jv08hvalcvly';
