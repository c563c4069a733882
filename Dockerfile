# Image for the agent-sessions worker (see docker-compose.yml). Serves the demo agent; a project of
# your own builds FROM node, installs agent-sessions with its agents and runs
# `npx agent-sessions worker --agents ./agents.js` instead.

# Build: the full lock file (dev tools included), then the compiled package in dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Run: production dependencies from the same lock file, and the build output.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY migrations ./migrations
USER node
CMD ["node", "bin/agent-sessions.js", "worker"]
