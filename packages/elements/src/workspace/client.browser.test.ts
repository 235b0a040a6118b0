import { expect } from 'chai';
import { type TokenSource, WorkspaceClient } from './client.ts';
import { WorkspaceError } from './errors.ts';
import { doc, FakeServer } from './fixtures/fake-server.ts';

const make = (server: FakeServer, token?: TokenSource) =>
  new WorkspaceClient({
    server: 'http://api.test/',
    dataset: 'demo',
    ...(token === undefined ? {} : { token }),
    fetch: server.fetch,
    retry: { attempts: 2, baseDelayMs: 1 },
  });

const fails = async (p: Promise<unknown>): Promise<WorkspaceError> => {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e, 'expected a rejection').to.be.instanceOf(WorkspaceError);
  return e as WorkspaceError;
};

describe('WorkspaceClient', () => {
  it('sends the token in the Authorization header only, from a string or a (async) function', async () => {
    const server = new FakeServer();
    await make(server, 'secret').readItem('dir/a b.png');
    let calls = 0;
    await make(server, async () => `fresh-${++calls}`).readItem('x.png', { at: 'main' });
    const [a, b] = server.requests;
    expect(a!.headers.get('authorization')).to.equal('Bearer secret');
    expect(b!.headers.get('authorization')).to.equal('Bearer fresh-1');
    expect(a!.url.pathname).to.equal('/v1/datasets/demo/items/dir/a%20b.png');
    for (const r of server.requests) expect(r.url.href).not.to.match(/secret|fresh|token/);
    expect(b!.url.searchParams.get('at')).to.equal('main');
  });

  it('anonymous without a token; a failing token function is workspace/token', async () => {
    const server = new FakeServer();
    await make(server).readItem('a.png');
    expect(server.requests[0]!.headers.has('authorization')).to.equal(false);
    const e = await fails(
      make(server, () => {
        throw new Error('logged out');
      }).readItem('a.png'),
    );
    expect(e.code).to.equal('workspace/token');
  });

  it('refuses a dataset id the server would refuse', () => {
    expect(() => new WorkspaceClient({ server: '', dataset: '../etc' }))
      .to.throw(WorkspaceError)
      .with.property('code', 'workspace/invalid-option');
  });

  it('409: the error carries the server code, status, head and conflicts', async () => {
    const server = new FakeServer();
    const head = server.advance();
    server.conflictOn.add('a.png');
    const e = await fails(make(server).commit({ parent: null, items: { 'a.png': doc('a.png') } }));
    expect(e).to.include({ code: 'history/merge-conflict', status: 409, head });
    expect(e.conflicts).to.deep.equal([{ item: 'a.png', reason: 'both-modified' }]);
    expect(e.transient).to.equal(false);
    expect(server.requests).to.have.length(1);
  });

  it('400: code and path of the bad field', async () => {
    const server = new FakeServer();
    server.invalid.add('a.png');
    const e = await fails(make(server).commit({ parent: null, items: { 'a.png': doc('a.png') } }));
    expect(e).to.include({ code: 'history/invalid-document', status: 400, path: '$.items["a.png"].shapes' });
  });

  it('retries network errors and 503 (Retry-After) with backoff, then succeeds', async () => {
    const server = new FakeServer();
    server.failures = ['network', 503];
    const r = await make(server).commit({ parent: null, items: { 'a.png': doc('a.png') } });
    expect(r.head).to.equal(server.head);
    expect(server.requests).to.have.length(3);
  });

  it('gives up after the retries with workspace/network (status 0) or the last status', async () => {
    const server = new FakeServer();
    server.failures = ['network', 'network', 'network'];
    const e = await fails(make(server).readItem('a.png'));
    expect(e).to.include({ code: 'workspace/network', status: 0 });
    expect(e.transient).to.equal(true);
    server.failures = [503, 503, 503];
    const busy = await fails(make(server).readItem('a.png'));
    expect(busy).to.include({ code: 'server/busy', status: 503 });
  });

  it('an answer that is not the API error JSON is workspace/bad-response', async () => {
    const client = new WorkspaceClient({
      server: 'http://api.test',
      dataset: 'demo',
      fetch: async () => new Response('<html>proxy error</html>', { status: 500 }),
    });
    const e = await fails(client.log());
    expect(e).to.include({ code: 'workspace/bad-response', status: 500 });
  });

  it('export: the zip as a Blob with the server-given file name', async () => {
    let asked: URL | undefined;
    const client = new WorkspaceClient({
      server: 'http://api.test',
      dataset: 'demo',
      token: 'k',
      fetch: async (i) => {
        asked = new URL(String(i));
        return new Response(new Uint8Array([80, 75, 3, 4]), {
          headers: { 'Content-Disposition': 'attachment; filename="demo-abc1234-coco.zip"' },
        });
      },
    });
    const { blob, filename } = await client.exportArchive('coco');
    expect(filename).to.equal('demo-abc1234-coco.zip');
    expect(blob.size).to.equal(4);
    expect(asked?.searchParams.get('format')).to.equal('coco');
  });
});

describe('WorkspaceClient against the real server', () => {
  const TOKEN = 'labelkit-wtr-token';

  it('401 without a token, 403 for a dataset the token cannot see (auth codes, no retries)', async () => {
    const anonymous = await fails(new WorkspaceClient({ server: '', dataset: 'ws-nav' }).items());
    expect(anonymous).to.include({ code: 'auth/unauthenticated', status: 401 });
    const unknown = await fails(new WorkspaceClient({ server: '', dataset: 'no-such-set', token: TOKEN }).items());
    expect(unknown).to.include({ code: 'auth/forbidden', status: 403 });
  });

  it('400 with the path of the bad field of an invalid document; 404 for an unknown commit', async () => {
    const client = new WorkspaceClient({ server: '', dataset: 'ws-nav', token: TOKEN });
    const bad = doc('img-1.png');
    (bad.shapes[0] as { width: number }).width = -5;
    const e = await fails(client.commit({ parent: null, items: { 'img-1.png': bad } }));
    expect(e.status).to.equal(400);
    expect(e.path).to.match(/^\$\.items\["img-1\.png"\]\.shapes\[0\]/);
    const missing = await fails(client.readItem('img-1.png', { at: 'f'.repeat(64) }));
    expect(missing).to.include({ code: 'dataset/unknown-commit', status: 404 });
  });

  it('pages items with signed URLs and signs a GET for one of them', async () => {
    const client = new WorkspaceClient({ server: '', dataset: 'ws-nav', token: TOKEN });
    const page = await client.items({ limit: 2 });
    expect(page.items.map((i) => i.id)).to.deep.equal(['img-1.png', 'img-2.png']);
    expect(page.cursor).to.be.a('string');
    const rest = await client.items({ limit: 2, cursor: page.cursor! });
    expect(rest.items.map((i) => i.id)).to.deep.equal(['img-3.png']);
    const signed = await client.sign({ key: 'img-3.png', method: 'GET' });
    const bytes = new Uint8Array(await (await fetch(signed.url)).arrayBuffer());
    expect([...bytes.slice(1, 4)].map((b) => String.fromCharCode(b)).join('')).to.equal('PNG');
    expect(signed.url).not.to.contain(TOKEN);
  });
});
