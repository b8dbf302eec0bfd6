# A small image that runs the bcda-conformance CLI. Build: docker build -t bcda-conformance .
# Run (reports land in ./reports):
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD/reports:/work/reports" bcda-conformance run
# The build stage needs the dev dependencies (TypeScript, the validator generator); the final
# stage keeps only what the CLI reads at run time: dist/, the prebuilt FHIR validators, spec/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/build ./build
COPY --from=build /app/spec ./spec
# The mocks' published test material: the generic mock's SMART clients, the HTTPS mock's certificate.
COPY --from=build /app/fixtures/smart ./fixtures/smart
COPY --from=build /app/fixtures/tls ./fixtures/tls
# The reference BCDA client, for `client --exec` inside the image.
COPY --from=build /app/examples/bcda-client ./examples/bcda-client
# Reports are written under the working directory; mount a host folder at /work/reports.
WORKDIR /work
RUN chown node:node /work
USER node
ENTRYPOINT ["node", "/app/dist/src/cli.js"]
CMD ["--help"]
