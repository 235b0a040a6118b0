import type { Context } from 'hono';
import { type AuthEnv, type Principal, requireScope, type Scope } from '../auth/scopes.ts';
import { HttpError } from '../errors.ts';
import type { DatasetRegistry } from './registry.ts';
import type { DatasetService } from './service.ts';

/**
 * The dataset `id`, once the request's principal is known to hold `need` on it: 401/403 from `requireScope`, and
 * 403 too for a dataset that does not exist, so ids cannot be probed. Every dataset-scoped route starts here.
 */
export async function datasetFor(
  c: Context<AuthEnv>,
  registry: DatasetRegistry,
  id: string,
  need: Scope,
): Promise<{ service: DatasetService; principal: Principal }> {
  const principal = requireScope(c, id, need);
  const service = await registry.get(id);
  if (!service) throw new HttpError(403, 'auth/forbidden', `This token may not ${need} dataset "${id}"`);
  return { service, principal };
}
