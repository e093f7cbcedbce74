// Request and response schemas of /api/graph/* and /api/graph/subgraph/* (attribution graphs), and
// of the mirror's own upload URL and JSON file routes.
import { Type } from 'typebox';
import { DateTime, ModelId, Nullable, StringArray, Visibility } from './common.js';

const open = { additionalProperties: true } as const;
const Slug = Type.String({ minLength: 1, maxLength: 256, description: 'Graph slug (unique per model).' });
const GraphVisibility = Type.Optional(
  Type.Union([Visibility], {
    description:
      'Who may read the graph (mirror extension). Default PUBLIC, as every graph on neuronpedia.org; PRIVATE: only you and admins.',
  }),
);

/** POST /api/graph/signed-put */
export const SignedPutBody = Type.Object({
  filename: Type.String({ minLength: 1, maxLength: 512, description: 'Name of the file, ending in .json' }),
  contentLength: Type.Integer({
    minimum: 1024,
    description:
      'Exact size of the body that will be PUT, in bytes (compressed size when sent with Content-Encoding: gzip); at most GRAPH_UPLOAD_LIMIT_BYTES.',
  }),
  contentType: Type.Optional(Type.String({ maxLength: 256, description: 'Accepted and ignored: files are stored as application/json.' })),
});
export const SignedPutResponse = Type.Object({
  url: Type.String({ description: 'Upload URL on this mirror: PUT the file there (no API key), once, before it expires.' }),
  key: Type.String(),
  putRequestId: Type.String(),
});

/** PUT /api/graph/upload/{putRequestId} */
export const UploadParams = Type.Object({ putRequestId: Type.String({ minLength: 1, maxLength: 64 }) });
export const UploadQuery = Type.Object({
  expires: Type.String({ maxLength: 16 }),
  signature: Type.String({ maxLength: 128 }),
});
export const UploadResponse = Type.Object({ message: Type.String(), size: Type.Integer() });

/** POST /api/graph/save-to-db */
export const SaveToDbBody = Type.Object({ putRequestId: Type.String({ minLength: 1, maxLength: 64 }), visibility: GraphVisibility });
export const SaveToDbResponse = Type.Object({ message: Type.String(), url: Type.String() });

/** A graph's metadata as upstream's Prisma row (GET graph/{modelId}/{slug}, list-owned). */
export const GraphMetadataRow = Type.Object(
  {
    id: Type.String(),
    modelId: Type.String(),
    sourceSetName: Nullable(Type.String()),
    slug: Type.String(),
    promptTokens: StringArray,
    prompt: Type.String(),
    titlePrefix: Type.String(),
    isFeatured: Type.Boolean(),
    url: Type.String({ description: "Where this mirror serves the graph's JSON (upstream: the S3 URL of the file)." }),
    userId: Nullable(Type.String()),
    visibility: Visibility,
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  open,
);
export const GetGraphResponse = Type.Intersect([
  GraphMetadataRow,
  Type.Object({ user: Nullable(Type.Object({ name: Type.String(), id: Type.String() })) }),
]);
export const GraphParams = Type.Object({ modelId: ModelId, slug: Slug });
export const ListOwnedGraphsResponse = Type.Array(GraphMetadataRow);

/** POST /api/graph/delete */
export const DeleteGraphBody = Type.Object({ modelId: ModelId, slug: Slug });

/** POST /api/graph/generate (upstream's ranges and defaults) */
export const GenerateGraphBody = Type.Object({
  prompt: Type.String({ minLength: 1, maxLength: 10000 }),
  modelId: Type.String({ minLength: 1, maxLength: 128, pattern: '^[a-zA-Z0-9_.-]+$' }),
  sourceSetName: Type.Optional(Nullable(Type.String({ maxLength: 256, pattern: '^[a-zA-Z0-9_.-]+$' }))),
  slug: Type.Optional(Type.String({ maxLength: 256 })),
  maxNLogits: Type.Integer({ minimum: 5, maximum: 15, default: 10 }),
  desiredLogitProb: Type.Number({ minimum: 0.6, maximum: 0.99, default: 0.95 }),
  nodeThreshold: Type.Number({ minimum: 0.5, maximum: 0.95, default: 0.8 }),
  edgeThreshold: Type.Number({ minimum: 0.65, maximum: 0.98, default: 0.85 }),
  maxFeatureNodes: Type.Integer({ minimum: 1500, maximum: 10000, default: 5000 }),
  visibility: GraphVisibility,
});
export const GenerateGraphResponse = Type.Object({
  message: Type.String(),
  s3url: Type.String({ description: "Where this mirror serves the graph's JSON." }),
  url: Type.String(),
  numNodes: Type.Integer(),
  numLinks: Type.Integer(),
});

/** POST /api/graph/subgraph/save */
export const SaveSubgraphBody = Type.Object({
  modelId: ModelId,
  slug: Slug,
  displayName: Type.Optional(Nullable(Type.String({ maxLength: 1024 }))),
  pinnedIds: Type.Array(Type.String({ maxLength: 256 }), { maxItems: 100_000 }),
  supernodes: Type.Array(Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 100_000 }), { maxItems: 100_000 }),
  clerps: Type.Array(Type.Unknown(), { maxItems: 100_000 }),
  pruningThreshold: Type.Optional(Nullable(Type.Number())),
  densityThreshold: Type.Optional(Nullable(Type.Number())),
  overwriteId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});
export const SaveSubgraphResponse = Type.Object({ success: Type.Boolean(), subgraphId: Type.String() });

/** POST /api/graph/subgraph/list */
export const ListSubgraphsBody = Type.Object({ modelId: ModelId, slug: Slug });
export const ListSubgraphsResponse = Type.Object({
  success: Type.Boolean(),
  subgraphs: Type.Array(
    Type.Object(
      {
        id: Type.String(),
        displayName: Nullable(Type.String()),
        graphMetadataId: Type.String(),
        pinnedIds: StringArray,
        supernodes: Type.Unknown(),
        clerps: Type.Unknown(),
        pruningThreshold: Nullable(Type.Number()),
        densityThreshold: Nullable(Type.Number()),
        userId: Type.String(),
        isFeaturedSolution: Type.Boolean(),
        createdAt: DateTime,
        updatedAt: DateTime,
        user: Type.Object({ name: Type.String(), id: Type.String() }),
      },
      open,
    ),
  ),
});

/** POST /api/graph/subgraph/delete */
export const DeleteSubgraphBody = Type.Object({ subgraphId: Type.String({ minLength: 1, maxLength: 64 }) });
export const DeleteSubgraphResponse = Type.Object({ success: Type.Boolean(), message: Type.String() });
