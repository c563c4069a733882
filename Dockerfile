# Image for agent-sessions: the worker by default (see docker-compose.yml, which also runs `serve` from
# it). Serves the demo agent; a project of your own builds FROM node, installs agent-sessions with its
# agents and runs `npx agent-sessions worker --agents ./agents.js` instead.
#
# Node 24, the active LTS (Node 22 is supported and tested too; Node 20 reached its end of life).

# Build: the full lock file (dev tools included), then the compiled package in dist/.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Run: production dependencies from the same lock file, the build output, and every file the commands
# read at run time relative to the package root: bin/ (the command), dist/ (the code, and the workflow
# sources the worker bundles when it starts), migrations/ (applied by the worker and `migrate`) and
# web/ (the chat page `serve` answers on /). test/docker-compose.test.ts checks this list against the code.
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY migrations ./migrations
COPY web ./web
USER node
CMD ["node", "bin/agent-sessions.js", "worker"]
