/**
 * The Swagger documentation BCDA serves under /api/v1/swagger/ and /api/v2/swagger/ (seed 002
 * "User Guide", seed 003 "Navigating to Swagger", behavior §0): a Swagger UI page that loads
 * ./swagger.json, an OpenAPI 3.0 document of the v1 and v2 endpoints (behavior §8: no v3).
 */

const SWAGGER_VERSIONS = ['v1', 'v2'] as const;
export type SwaggerVersion = (typeof SWAGGER_VERSIONS)[number];

export function isSwaggerVersion(version: string): version is SwaggerVersion {
  return (SWAGGER_VERSIONS as readonly string[]).includes(version);
}

/** The Swagger UI page: the UI bundle renders ./swagger.json into #swagger-ui. */
export function swaggerPage(): string {
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>BCDA Documentation</title>
    <link rel="stylesheet" type="text/css" href="./swagger-ui.css">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="./swagger-ui-bundle.js"></script>
    <script src="./swagger-ui-standalone-preset.js"></script>
    <script>
      window.onload = function () {
        window.ui = SwaggerUIBundle({
          url: "./swagger.json",
          dom_id: "#swagger-ui",
          presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
          layout: "StandaloneLayout"
        });
      };
    </script>
  </body>
</html>
`;
}

type Operation = { summary: string; tags: string[] };
const op = (summary: string, tag: string): Operation => ({ summary, tags: [tag] });

/** The endpoints of one API version, as its Swagger document lists them. */
function versionPaths(v: SwaggerVersion): Record<string, Record<string, Operation>> {
  return {
    [`/api/${v}/Patient/$export`]: { get: op('Start Patient export', 'Bulk Data') },
    [`/api/${v}/Group/{groupId}/$export`]: { get: op('Start Group export', 'Bulk Data') },
    [`/api/${v}/jobs`]: { get: op('List jobs', 'Job') },
    [`/api/${v}/jobs/{jobId}`]: {
      get: op('Get job status', 'Job'),
      delete: op('Cancel job', 'Job'),
    },
    [`/api/${v}/attribution_status`]: { get: op('Get attribution status', 'Attribution') },
    [`/api/${v}/metadata`]: { get: op('Get metadata', 'Metadata') },
  };
}

/** The OpenAPI document the page loads: every v1 and v2 endpoint, the token and data endpoints. */
export function swaggerDocument(base: string, version: string, v2Only = false): Record<string, unknown> {
  return {
    openapi: '3.0.1',
    info: { title: 'Beneficiary Claims Data API', version },
    servers: [{ url: base }],
    paths: {
      '/_version': { get: op('Get API version', 'Service') },
      '/_auth': { get: op('Get auth provider', 'Service') },
      '/auth/token': { post: op('Get a bearer token', 'Authentication') },
      '/auth/welcome': { get: op('Test a bearer token', 'Authentication') },
      ...(v2Only ? {} : versionPaths('v1')),
      ...versionPaths('v2'),
      '/data/{jobId}/{filename}': { get: op('Download a file', 'Data') },
    },
    components: {
      securitySchemes: {
        basic_auth: { type: 'http', scheme: 'basic' },
        bearer_token: { type: 'apiKey', name: 'Authorization', in: 'header' },
      },
    },
  };
}
