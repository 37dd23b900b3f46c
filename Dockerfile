# mcp-tool-server: multi-stage image. Build: TypeScript and native modules with dev dependencies;
# runtime: node:24-bookworm-slim with production dependencies only, as the unprivileged `node` user.
#   docker build -t mcp-tool-server .
#   docker run -p 127.0.0.1:3000:3000 -e MCP_API_KEYS=me:change-me-please:read+write mcp-tool-server

FROM node:24-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches the platform.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Native modules are built for Node 24's ABI (137) against the 24.18.1 headers: from 24.19 on,
# node::ObjectWrap's inline destructor calls RemoveEnvironmentCleanupHook, and better-sqlite3 12
# compiled against those headers aborts the process when a statement is garbage-collected
# (nodejs/node#65446). Drop --target once that is fixed or better-sqlite3 13 is adopted.
ARG NODE_HEADERS=24.18.1
RUN npm ci --no-audit --no-fund --target="${NODE_HEADERS}"
COPY tsconfig.json ./
COPY src ./src
RUN npm run build \
    && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data \
    WORKSPACE_DIR=/app/workspace
# HOST=0.0.0.0 is needed inside a container. The DNS-rebinding guard then answers any Host header
# unless ALLOWED_HOSTS lists the names clients use (e.g. ALLOWED_HOSTS=mcp.example.com); loopback
# names always work, which is what the HEALTHCHECK below uses.
WORKDIR /app
# Code and dependencies stay owned by root: the server can read them but not change them.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
RUN mkdir -p /app/data /app/workspace \
    && chown node:node /app/data /app/workspace
USER node
VOLUME ["/app/data", "/app/workspace"]
EXPOSE 3000
# No curl in slim images: probe /healthz with node itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Run node directly (not npm), so SIGTERM reaches the server and it drains before exiting.
CMD ["node", "--max-semi-space-size=8", "dist/index.js"]
