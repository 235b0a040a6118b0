/**
 * `/v1/datasets/:id/jobs...`: start an auto-annotation job (write), read its progress (read) as JSON or as
 * server-sent events, cancel it (write). A dataset that does not exist answers 403 like the other dataset
 * routes (ids cannot be probed); an unknown job of a visible dataset is 404 `job/unknown`.
 */
import type { DetectorManifest } from '@labelkit/models/detector';
import { type Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AuthEnv, Scope } from '../auth/scopes.ts';
import { datasetFor } from '../datasets/access.ts';
import type { DatasetRegistry } from '../datasets/registry.ts';
import type { DatasetService } from '../datasets/service.ts';
import { HttpError } from '../errors.ts';
import { jsonObject, withJobErrors } from '../jobs/http.ts';
import type { JobEvent, JobManager } from '../jobs/runner.ts';
import { parseJobRequest } from '../jobs/spec.ts';
import { isFinished, type JobRecord, jobView } from '../jobs/types.ts';

export interface JobRoutesOptions {
  datasets: DatasetRegistry;
  jobs: JobManager;
  /** The configured detector models. */
  detectors: () => readonly DetectorManifest[];
  /** Largest job request (a list of item ids), in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** How often the event stream re-reads a job that another server runs (ms). Default 1000. */
  pollMs?: number;
}

type C = Context<AuthEnv>;

export function jobRoutes(options: JobRoutesOptions): Hono<AuthEnv> {
  const { datasets, jobs } = options;
  const pollMs = options.pollMs ?? 1000;
  const app = new Hono<AuthEnv>();

  const dataset = async (c: C, need: Scope): Promise<{ service: DatasetService; author: string }> => {
    const { service, principal } = await datasetFor(c, datasets, c.req.param('id') as string, need);
    return { service, author: principal.name };
  };
  const job = async (service: DatasetService, id: string): Promise<JobRecord> => {
    const record = await jobs.get(service, id);
    if (!record) throw new HttpError(404, 'job/unknown', `No job ${id} in this dataset`, { path: '$.job' });
    return record;
  };
  const wrap = withJobErrors<C>;

  app.post(
    '/v1/datasets/:id/jobs',
    wrap(async (c) => {
      const { service, author } = await dataset(c, 'write');
      const body = await jsonObject(c, options.maxBodyBytes ?? 2 ** 20, 'job/invalid-request');
      const detectors = new Map(options.detectors().map((d) => [d.id, d]));
      const spec = parseJobRequest(body, detectors, service.dataset.labels);
      const record = await jobs.create(service, spec, author);
      c.header('Location', `/v1/datasets/${service.id}/jobs/${record.id}`);
      return c.json({ job: jobView(record) }, 202);
    }),
  );

  app.get(
    '/v1/datasets/:id/jobs/:job',
    wrap(async (c) => {
      const { service } = await dataset(c, 'read');
      return c.json(jobView(await job(service, c.req.param('job') as string)));
    }),
  );

  app.post(
    '/v1/datasets/:id/jobs/:job/cancel',
    wrap(async (c) => {
      const { service } = await dataset(c, 'write');
      const id = c.req.param('job') as string;
      const record = await jobs.cancel(service, id);
      if (!record) throw new HttpError(404, 'job/unknown', `No job ${id} in this dataset`, { path: '$.job' });
      return c.json({ job: jobView(record) });
    }),
  );

  /**
   * `event: progress` with the job's view whenever it changes, then one `event: done` (or `cancelled`, `failed`)
   * and the end of the stream. Events of a job run by this process come as they happen; one run by another
   * server is re-read every `pollMs`.
   */
  app.get(
    '/v1/datasets/:id/jobs/:job/events',
    wrap(async (c) => {
      const { service } = await dataset(c, 'read');
      const id = c.req.param('job') as string;
      const first = await job(service, id);
      return streamSSE(c, async (stream) => {
        let last = '';
        let finished = false;
        let wake: () => void = () => undefined;
        const queue: JobEvent[] = [];
        let lastDone = -1;
        const send = async (e: JobEvent) => {
          const data = JSON.stringify(e.job);
          // A checkpoint read back from storage can be older than the live events already sent.
          if (e.type === 'progress' && (data === last || e.job.done < lastDone)) return;
          last = data;
          lastDone = e.job.done;
          await stream.writeSSE({ event: e.type, data });
          if (e.type !== 'progress' && e.type !== 'queued') finished = true;
        };
        const terminal = (r: JobRecord): JobEvent => ({
          type: r.state === 'done' ? 'done' : r.state === 'cancelled' ? 'cancelled' : 'failed',
          job: jobView(r),
        });
        const unsubscribe = jobs.subscribe(id, (e) => {
          queue.push(e);
          wake();
        });
        stream.onAbort(() => {
          finished = true;
          wake();
        });
        try {
          await send(isFinished(first.state) ? terminal(first) : { type: 'progress', job: jobView(first) });
          while (!finished) {
            await new Promise<void>((resolve) => {
              wake = resolve;
              if (queue.length > 0) resolve();
              else setTimeout(resolve, pollMs);
            });
            if (queue.length > 0) {
              // Only the latest progress matters to a reader that fell behind; terminal events always go out.
              const batch = queue.splice(0);
              const end = batch.find((e) => e.type !== 'progress' && e.type !== 'queued');
              await send(end ?? (batch[batch.length - 1] as JobEvent));
              continue;
            }
            const r = await jobs.get(service, id);
            if (r) await send(isFinished(r.state) ? terminal(r) : { type: 'progress', job: jobView(r) });
          }
        } finally {
          unsubscribe();
        }
      });
    }),
  );

  return app;
}
