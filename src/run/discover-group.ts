/**
 * The Group a generic run exports when --group is not given: the first one the server lists on a
 * Group search (the IG says a server offering Group export SHOULD support reading and searching
 * Groups). Without one, the checks that need a Group skip and say why.
 */
import type { TargetClient } from '../http/target';
import { TransportError } from '../http/client';
import { BudgetSpentError } from '../http/budget';

export interface DiscoveredGroup {
  id?: string;
  /** One line for the console: which group, or why there is none. */
  notice: string;
}

export async function discoverGroup(client: TargetClient): Promise<DiscoveredGroup> {
  try {
    const res = await client.http.send({
      method: 'GET',
      url: client.http.resolve('Group?_count=10'),
      label: 'find a Group to export (no --group given)',
      headers: { accept: 'application/fhir+json', authorization: await client.authorization('token') },
    });
    if (res.status !== 200)
      return {
        notice: `no --group given and GET [base]/Group answered ${res.status}: the Group checks skip`,
      };
    const id = firstGroupId(res.json<unknown>());
    return id
      ? { id, notice: `no --group given: exporting Group/${id}, the first Group the server lists` }
      : { notice: 'no --group given and the server lists no Group: the Group checks skip' };
  } catch (err) {
    if (err instanceof TransportError || err instanceof BudgetSpentError)
      return {
        notice: `no --group given and the Group search failed (${err.message}): the Group checks skip`,
      };
    // The token could not be had: the pre-flight and the auth checks say so; no group here.
    return { notice: `no --group given and the Group search could not be sent (${(err as Error).message})` };
  }
}

function firstGroupId(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const entries = (body as { entry?: unknown }).entry;
  if (!Array.isArray(entries)) return undefined;
  for (const entry of entries) {
    const resource = (entry as { resource?: { resourceType?: unknown; id?: unknown } } | null)?.resource;
    if (resource?.resourceType === 'Group' && typeof resource.id === 'string' && resource.id)
      return resource.id;
  }
  return undefined;
}
