# syntax=docker/dockerfile:1
# LabelKit server image. Untested here (no container engine on the build machine): test/deploy/deploy.test.ts
# checks its structure against compose.yaml and the server's configuration.
#
#   docker build -t labelkit/server .                      # CPU image (target "runtime")
#   docker build --target gpu -t labelkit/server:gpu .     # CUDA 12 / cuDNN 9 image for LABELKIT_EP=cuda
#
# Stages: "build" installs every dependency and builds the packages; "bundle" lays out the production-only server,
# the demo site and the built-in model; "runtime" and "gpu" run them as an unprivileged user.

ARG NODE_IMAGE=node:20-bookworm-slim
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04

FROM ${NODE_IMAGE} AS build
# pnpm 10, as in package.json "packageManager"; the lockfile is the same one CI installs from.
RUN npm install -g pnpm@10
WORKDIR /src
# onnxruntime-node's install script downloads CUDA libraries; the CPU build never needs them (see the gpu stage).
ENV CI=true ONNXRUNTIME_NODE_INSTALL=skip
# Manifests first, so that editing sources does not refetch dependencies.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
# Patched dependencies (patchedDependencies in pnpm-workspace.yaml) are applied by the install.
COPY patches ./patches/
COPY packages/core/package.json packages/core/
COPY packages/elements/package.json packages/elements/
COPY packages/models/package.json packages/models/
COPY packages/server/package.json packages/server/
COPY examples/package.json examples/
RUN pnpm install --frozen-lockfile
COPY . .
RUN pnpm build && pnpm --filter @labelkit/examples run --if-present build

FROM build AS bundle
# Production dependencies of the server only (its workspace packages are copied as published: dist + models).
# --legacy: pnpm 10 deploys from a workspace without injected packages only in this mode.
RUN pnpm --filter @labelkit/server deploy --prod --legacy /out/app
# onnxruntime-node ships native binaries for every platform; keep the one this image runs on (~200 MB less).
RUN ort=/out/app/node_modules/onnxruntime-node/bin/napi-v6 \
 && arch="$(node -p process.arch)" \
 && find "$ort" -mindepth 2 -maxdepth 2 ! -path "$ort/linux/$arch" -exec rm -rf {} + \
 && test -e "$ort/linux/$arch/onnxruntime_binding.node"
# The demo site: the examples without their sources' tooling, plus the element bundle `pnpm start` puts in lib/.
RUN mkdir -p /out/site/lib \
 && tar -C examples --exclude=node_modules --exclude='*.test.ts' --exclude=package.json --exclude=tsconfig.json \
        --exclude=build.mjs -cf - . | tar -C /out/site -xf - \
 && cp -r packages/elements/dist/cdn/. /out/site/lib/
# The built-in model is generated (tens of kB) here rather than on the first request; the registry checks its hashes.
RUN LABELKIT_MODEL_CACHE=/out/models node /out/app/dist/cli.js models pull builtin

FROM bundle AS bundle-gpu
# The CUDA execution provider's libraries come from onnxruntime's NuGet package, next to the CPU binding.
RUN cd /out/app/node_modules/onnxruntime-node && ONNXRUNTIME_NODE_INSTALL=cuda12 node script/install.js

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    LABELKIT_HOST=0.0.0.0 \
    LABELKIT_PORT=8787 \
    LABELKIT_SITE=/app/site \
    LABELKIT_DATA_DIR=/var/lib/labelkit/data \
    LABELKIT_MODEL_CACHE=/var/lib/labelkit/models \
    ONNXRUNTIME_NODE_INSTALL=skip
# A fixed numeric id, so that orchestrators can verify runAsNonRoot and volumes can be chowned ahead of time.
RUN groupadd --system --gid 10001 labelkit \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/labelkit --shell /usr/sbin/nologin labelkit \
 && mkdir -p /var/lib/labelkit/data /var/lib/labelkit/models \
 && chown -R 10001:10001 /var/lib/labelkit
# Code and site belong to root: the server cannot rewrite what it runs.
COPY --from=bundle /out/app /app
COPY --from=bundle /out/site /app/site
# Named volumes mounted here start with these files (Docker copies the image's content into an empty volume).
COPY --from=bundle --chown=10001:10001 /out/models /var/lib/labelkit/models
WORKDIR /var/lib/labelkit
USER 10001:10001
EXPOSE 8787
VOLUME ["/var/lib/labelkit/data", "/var/lib/labelkit/models"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.LABELKIT_PORT||8787)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node runs as PID 1 and handles SIGTERM itself: it drains encoder jobs for shutdownSeconds, then exits 0.
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["serve"]

FROM ${NODE_IMAGE} AS node-binary

FROM ${CUDA_IMAGE} AS gpu
# Node from the official image (glibc-linked; Ubuntu 24.04's glibc is newer than Debian 12's).
COPY --from=node-binary /usr/local/bin/node /usr/local/bin/node
ENV NODE_ENV=production \
    LABELKIT_HOST=0.0.0.0 \
    LABELKIT_PORT=8787 \
    LABELKIT_SITE=/app/site \
    LABELKIT_DATA_DIR=/var/lib/labelkit/data \
    LABELKIT_MODEL_CACHE=/var/lib/labelkit/models \
    LABELKIT_EP=cuda \
    LABELKIT_ENCODER_WORKERS=1
RUN groupadd --system --gid 10001 labelkit \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/labelkit --shell /usr/sbin/nologin labelkit \
 && mkdir -p /var/lib/labelkit/data /var/lib/labelkit/models \
 && chown -R 10001:10001 /var/lib/labelkit
COPY --from=bundle-gpu /out/app /app
COPY --from=bundle-gpu /out/site /app/site
COPY --from=bundle-gpu --chown=10001:10001 /out/models /var/lib/labelkit/models
WORKDIR /var/lib/labelkit
USER 10001:10001
EXPOSE 8787
VOLUME ["/var/lib/labelkit/data", "/var/lib/labelkit/models"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.LABELKIT_PORT||8787)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["serve"]
