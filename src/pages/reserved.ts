// First path segments that belong to the API and the server, never to a model: page routes with
// parameters in the first segment (`/{modelId}/{source}[/{index}]`) hand these to the 404 handler,
// so `/api/unknown/x` still answers the API's JSON 404 and not an HTML page.
const RESERVED = new Set([
  'api',
  'api-doc',
  'health',
  '_assets',
  'sign-in',
  'sign-out',
  'steer',
  'list',
  'quick-list',
  'search-explanations',
]);

export const isReservedSegment = (segment: string) => RESERVED.has(segment.toLowerCase());
