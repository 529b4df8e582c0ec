# One image for every Podling process: the apiserver, the agent (podling-kubelet) and the one-shot certificate
# generator (see docker-compose.yml). The workspace ships TypeScript that tsx (a runtime dependency) runs as is,
# so there is no compile step: a deps stage installs production dependencies, the runtime stage adds the sources.

FROM node:20-bookworm-slim AS deps
# better-sqlite3 downloads a prebuilt binary when one matches; the toolchain is its fallback to build from source.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Only the manifests, so this layer is rebuilt when dependencies change, not on every source edit. npm ci needs
# every workspace's package.json to match the lockfile; the workspace links it makes point at sources copied later.
COPY package.json package-lock.json ./
COPY packages/api/package.json packages/api/
COPY packages/client/package.json packages/client/
COPY packages/store/package.json packages/store/
COPY packages/testkit/package.json packages/testkit/
COPY packages/controllers/package.json packages/controllers/
COPY apps/apiserver/package.json apps/apiserver/
COPY apps/kubelet/package.json apps/kubelet/
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
# Pod containers are processes of the agent's machine, here this image: sh, coreutils and util-linux come with
# Debian; python3 is for the examples in manifests/ (web-with-sidecar.yaml serves with python3 -m http.server).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# Flags can also be given as PODLING_* environment variables (see README, "Flags").
ENTRYPOINT ["node", "--import", "tsx"]
CMD ["apps/apiserver/src/main.ts", "--help"]
