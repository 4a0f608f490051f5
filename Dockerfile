# The persona-webhooks service as an image: `docker build -t persona-webhooks:0.2.0 .`
# Deploy guide: packages/server/README.md, "Deploy: image, compose, Kubernetes".
#
# Two stages from the same official Node.js 20 image: `build` installs every dependency, compiles
# better-sqlite3 from source and the TypeScript, then prunes the dev dependencies; `runtime` copies
# only what runs (no compiler, no npm cache, no dev dependency) and runs the service as PID 1,
# as the unprivileged user `node` (uid 1000), with its SQLite database on the /data volume.

# Pinned to the Node.js 20 release the project is tested on; override with --build-arg NODE_IMAGE=….
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3's native module is compiled here (python3, make, g++), against the headers that the
# Node.js image ships in /usr/local/include/node, so nothing is downloaded but npm and Debian packages.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
WORKDIR /app
# Dependencies first, so a change to the sources reuses this layer. No install script runs but
# better-sqlite3's, built from source (no prebuilt binary is fetched from outside the npm registry);
# then only its compiled module is kept (its SQLite sources and object files are 27 MB more).
COPY package.json package-lock.json ./
COPY packages/persona-webhooks/package.json packages/persona-webhooks/
COPY packages/server/package.json packages/server/
RUN npm ci --ignore-scripts \
 && npm_config_build_from_source=true npm rebuild better-sqlite3 \
 && cd node_modules/better-sqlite3 \
 && mv build/Release/better_sqlite3.node . \
 && rm -rf build deps \
 && mkdir -p build/Release \
 && mv better_sqlite3.node build/Release/
COPY tsconfig.base.json ./
COPY packages/persona-webhooks packages/persona-webhooks
COPY packages/server packages/server
RUN npx tsc -b packages/persona-webhooks packages/server \
 && rm -f packages/*/dist/.tsbuildinfo \
 && npm prune --omit=dev \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ARG NODE_IMAGE
# Set by a release build: --build-arg VERSION=… --build-arg REVISION=$(git rev-parse HEAD) --build-arg SOURCE=<repo URL>.
ARG VERSION=0.2.0
ARG REVISION=""
ARG SOURCE=""
LABEL org.opencontainers.image.title="persona-webhooks" \
      org.opencontainers.image.description="Receives Persona webhooks, verifies them, stores them durably (SQLite or PostgreSQL) and decides each user's KYC status." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
ENV HOST=0.0.0.0 \
    PORT=3000 \
    DATABASE_URL=sqlite:/data/persona-webhooks.db
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/packages/persona-webhooks/package.json packages/persona-webhooks/
COPY --from=build /app/packages/persona-webhooks/dist packages/persona-webhooks/dist
COPY --from=build /app/packages/server/package.json packages/server/
COPY --from=build /app/packages/server/dist packages/server/dist
COPY --from=build /app/packages/server/bin packages/server/bin
COPY --from=build /app/packages/server/public packages/server/public
# The only place the service writes (besides SQLite's temporary files in /tmp): owned by `node`, so
# a fresh named volume mounted here inherits that owner. The code stays root-owned and read-only.
RUN mkdir -p /data && chown 1000:1000 /data
VOLUME ["/data"]
USER 1000:1000
EXPOSE 3000
# No curl in the slim image: Node's own fetch asks /healthz.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The service drains on SIGTERM (stops accepting, finishes in-flight requests and handler runs, closes
# the store) and exits 0; node is PID 1 (exec form, no shell), so the signal reaches it.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/packages/server/bin/persona-webhooks.js"]
CMD ["serve"]
