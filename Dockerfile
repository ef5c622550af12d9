# One image: the built web app and the server (TypeScript run by tsx). Redis is a separate service.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY server/package.json server/
COPY web/package.json web/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production
# fonts-noto-cjk: the Chinese font the server embeds (as a subset) in ballot papers, notices and results
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk fontconfig && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app
EXPOSE 3000
USER node
CMD ["node", "--import", "tsx", "server/src/main.ts"]
