import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/api/openapi.js';
import { documentedRoutes, servedDocument } from '../../functions/api/openapi-document.js';
import { routeKey } from '../../functions/api/route.js';
import { allRoutes, routeGroups } from '../../functions/api/routes/index.js';

const STALE = 'is stale: run `npm run openapi` (bin/openapi.ts) and commit what it writes';

const committed = async (): Promise<unknown> =>
  JSON.parse(await readFile(new URL('../../functions/api/openapi.json', import.meta.url), 'utf8'));

describe('the OpenAPI document, a build product of the route table', () => {
  it('is committed as the route table and its schemas build it now', async () => {
    // Act
    const built = openApiDocument(routeGroups);

    // Assess: a JSON round trip, as the file holds it
    expect(await committed(), `functions/api/openapi.json ${STALE}`).toEqual(JSON.parse(JSON.stringify(built)));
  });

  it('is served as committed', async () => {
    // Assess
    expect(servedDocument(), `functions/api/openapi.generated.ts ${STALE}`).toEqual(await committed());
  });

  it('names every route of every group, and only those, for the answers to unmatched requests', () => {
    // Act
    const documented = documentedRoutes(servedDocument()).map(routeKey);

    // Assess
    expect(documented.sort()).toEqual(allRoutes().map(routeKey).sort());
  });
});
