# Image for the agent-sessions worker (see docker-compose.yml).
FROM node:20-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

# Dependencies first, so source edits do not invalidate the install layer.
# tsx, which runs the TypeScript CLI, is a production dependency.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY migrations ./migrations

USER node
CMD ["node", "bin/agent-sessions.js", "worker"]
