# The mirror server, on the current Node LTS. A build stage compiles src/ to dist/ (node starts the
# compiled server about a second sooner than tsx does the sources); the image runs dist/ and keeps
# src/ and scripts/ beside it so the command-line tools run in it too (`npx tsx scripts/import.ts`).
FROM node:24-bookworm-slim AS build
WORKDIR /app
# onnxruntime-node ships its CPU binaries in the package; its postinstall would only download CUDA
# ones from outside the npm registry.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The build runs scripts/ (prune-dist, build-demo) and builds the demo database from the migrations.
COPY migrations ./migrations
COPY scripts ./scripts
RUN npm run build

# bookworm-slim has util-linux's flock(1), which the data folder's lock needs.
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY migrations ./migrations
COPY src ./src
COPY scripts ./scripts
COPY --from=build /app/dist ./dist
ENV HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 3000
USER node
# Migrations run at start (and are safe when several replicas start together).
CMD ["node", "dist/server.js"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then(r => process.exit(r.ok ? 0 : 1)).catch(() => process.exit(1))"
