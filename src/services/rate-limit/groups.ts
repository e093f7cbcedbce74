// Endpoint groups and their default limits per window (one hour unless RATE_LIMIT_WINDOW_SECONDS
// says otherwise). Defaults follow the docs page (steering 100 an hour per user, search
// unlimited) and, for routes that call an expensive model service, the real server's table.
// RATE_LIMITS overrides them, e.g. `RATE_LIMITS=steer=500,api=20000,search-all=off`.

export interface RateLimitGroup {
  /** Paths in the group: exact paths, or prefixes when they end with `/`; `POST /path`: that method only. */
  paths: string[];
  /** Requests per window per caller; null: not limited. */
  limit: number | null;
  description: string;
  /** Counted per client IP even for signed-in callers (sign-in attempts). */
  perIp?: boolean;
}

// A route joins its group by declaring it (`config: { rateLimitGroup: 'steer' }`); every /api route
// is also in `api`. Requests are matched on the route Fastify chose, never on the raw URL, so no
// spelling of a path (percent-encoding, absolute form, case) reaches a handler uncounted. `paths`
// name each group's routes for people, for the 429 body (`endpoint`: the first) and for the test
// that every route a group lists declares it.
const DEFAULT_GROUPS = {
  steer: {
    paths: ['/api/steer', '/api/steer-chat', '/steer/run'],
    limit: 100,
    description:
      'steering through the inference server (docs page: 100 an hour), from the API or the /steer page (POST /steer/run); /api/steer-load is not counted',
  },
  'search-all': {
    paths: ['/api/search-all', '/api/search'],
    limit: 1600,
    description: "search by text through the inference server; the docs page's /api/search runs the same search, so it counts here",
  },
  'search-topk': { paths: ['/api/search-topk-by-token'], limit: 500, description: 'top features per token through the inference server' },
  'activation-new': { paths: ['/api/activation/new'], limit: 1000, description: 'activations of new text through the inference server' },
  'explanation-generate': {
    paths: ['/api/explanation/generate', '/api/explanation-type/'],
    limit: 120,
    description: 'explanations written by an LLM',
  },
  'explanation-score': { paths: ['/api/explanation/score', '/api/score-type/'], limit: 120, description: 'explanation scoring by an LLM' },
  'explanation-search': {
    paths: ['/api/explanation/search', '/api/explanation/search-all', '/api/explanation/search-model', '/api/explanation/search-release'],
    limit: null,
    description: 'semantic search of explanations (unlimited, as the docs page says of search)',
  },
  'saelens-latent-decoder': {
    paths: ['/api/saelens/latent-decoder'],
    limit: 3600,
    description: "decoder rows read from the Hugging Face hub (the real server's limit)",
  },
  'sign-in': {
    paths: ['POST /sign-in'],
    limit: 60,
    perIp: true,
    description: "the web pages' sign-in form (POST), per client IP: API keys cannot be guessed from one address",
  },
  api: {
    paths: ['/api/'],
    limit: null,
    description: 'every /api route together (off by default; neuronpedia.org allows 25000 an hour per IP)',
  },
} satisfies Record<string, RateLimitGroup>;

export type RateLimitGroupName = keyof typeof DEFAULT_GROUPS;
export const RATE_LIMIT_GROUPS: Readonly<Record<string, RateLimitGroup>> = DEFAULT_GROUPS;
/** The group every /api route is in, besides its own. */
export const API_GROUP = 'api' satisfies RateLimitGroupName;

/** Checks a route's declared group when the route is added: a misspelt one would leave the route unlimited. */
export function checkDeclaredGroup(routeUrl: string, declared: unknown): void {
  if (declared !== undefined && (typeof declared !== 'string' || !Object.hasOwn(RATE_LIMIT_GROUPS, declared))) {
    throw new Error(
      `Route ${routeUrl} declares an unknown rate-limit group ${JSON.stringify(declared)} (groups: ${Object.keys(RATE_LIMIT_GROUPS).join(', ')})`,
    );
  }
}

/**
 * The groups a request to a route is counted in, most specific first: the group the route declares,
 * then `api` for a route under /api. `routeUrl` is the route's pattern (undefined for no route).
 */
export function groupsForRoute(routeUrl: string | undefined, declared: RateLimitGroupName | undefined): RateLimitGroupName[] {
  const matched: RateLimitGroupName[] = declared && declared !== API_GROUP ? [declared] : [];
  if (routeUrl?.startsWith('/api/')) matched.push(API_GROUP);
  return matched;
}

/**
 * The groups whose `paths` list a route URL (trailing slash and case ignored). Never used to match
 * requests: it checks that routes declare the groups their URLs are listed in.
 */
export function groupsForPath(pathname: string, groups: Record<string, RateLimitGroup> = RATE_LIMIT_GROUPS, method?: string): string[] {
  const path = pathname.toLowerCase().replace(/\/+$/, '') || '/';
  const lists = (entry: string) => {
    const [only, p] = entry.includes(' ') ? entry.split(' ') : [undefined, entry];
    if (only && method && only !== method.toUpperCase()) return false;
    return p!.endsWith('/') ? path.startsWith(p!) : path === p;
  };
  return Object.entries(groups)
    .filter(([, group]) => group.paths.some(lists))
    .map(([name]) => name);
}

export class RateLimitConfigError extends Error {}

/** Applies a RATE_LIMITS string (`group=N|off,…`) to the default groups. */
export function configureGroups(spec: string | undefined): Record<string, RateLimitGroup> {
  const groups = structuredClone(RATE_LIMIT_GROUPS);
  for (const part of (spec ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, value] = part.split('=').map((s) => s.trim());
    const group = name ? groups[name] : undefined;
    if (!group) throw new RateLimitConfigError(`RATE_LIMITS: unknown group "${name}" (groups: ${Object.keys(groups).join(', ')})`);
    if (value === 'off') group.limit = null;
    else if (value && /^\d+$/.test(value)) group.limit = Number(value);
    else throw new RateLimitConfigError(`RATE_LIMITS: "${part}" should be ${name}=<requests per window> or ${name}=off`);
  }
  return groups;
}
