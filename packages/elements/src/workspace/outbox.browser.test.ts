import { expect } from 'chai';
import { WorkspaceClient } from './client.ts';
import { WorkspaceError } from './errors.ts';
import { doc, FakeServer } from './fixtures/fake-server.ts';
import { itemOfPath, Outbox, type OutboxEvent } from './outbox.ts';

let n = 0;
function setup() {
  const server = new FakeServer();
  const client = new WorkspaceClient({
    server: 'http://api.test',
    dataset: 'demo',
    token: 't',
    fetch: server.fetch,
    retry: { attempts: 1, baseDelayMs: 1 },
  });
  const name = `outbox-test-${Date.now()}-${n++}`;
  const outbox = new Outbox(client, { name });
  const events: OutboxEvent[] = [];
  outbox.subscribe((e) => events.push(e));
  return { server, client, outbox, name, events };
}

describe('Outbox (IndexedDB)', () => {
  it('keeps the latest document per item with the base it was first edited on, and sends all in ONE commit', async () => {
    const { server, outbox } = setup();
    server.head = 'a'.repeat(64);
    await outbox.stage('a.png', doc('a.png', 1), server.head);
    await outbox.stage('a.png', doc('a.png', 2), 'ignored-newer-base');
    await outbox.stage('b.png', doc('b.png', 1), server.head);
    const saved = await outbox.flush();
    expect(saved).to.have.length(1);
    const bodies = server.commitBodies();
    expect(bodies).to.have.length(1);
    expect(bodies[0]!.parent).to.equal('a'.repeat(64));
    expect(Object.keys(bodies[0]!.items).sort()).to.deep.equal(['a.png', 'b.png']);
    expect((bodies[0]!.items['a.png'] as { shapes: unknown[] }).shapes).to.have.length(2);
    expect(await outbox.entries()).to.deep.equal([]);
  });

  it('survives a reload: a new Outbox on the same database sees and sends what was staged', async () => {
    const { server, outbox, client, name } = setup();
    await outbox.stage('x.png', doc('x.png'), null);
    outbox.close();
    const again = new Outbox(client, { name });
    expect((await again.entries()).map((e) => e.itemId)).to.deep.equal(['x.png']);
    await again.flush();
    expect(server.items.get('x.png')?.shapes).to.have.length(1);
    expect(await again.entries()).to.deep.equal([]);
  });

  it('offline: the flush rejects with workspace/network and every entry stays', async () => {
    const { server, outbox } = setup();
    await outbox.stage('a.png', doc('a.png'), null);
    server.failures = ['network', 'network'];
    const e = await outbox.flush().catch((x: unknown) => x);
    expect(e).to.be.instanceOf(WorkspaceError);
    expect((e as WorkspaceError).code).to.equal('workspace/network');
    expect((await outbox.entries()).map((x) => x.itemId)).to.deep.equal(['a.png']);
    await outbox.flush();
    expect(await outbox.entries()).to.deep.equal([]);
  });

  it('partial accept: a conflicting item is flagged and kept, the rest is committed', async () => {
    const { server, outbox, events } = setup();
    const base = server.advance();
    server.items.set('a.png', doc('a.png', 3));
    await outbox.stage('a.png', doc('a.png', 1), base);
    await outbox.stage('b.png', doc('b.png', 1), base);
    server.advance(); // someone else commits a.png: our parent is stale
    server.conflictOn.add('a.png');
    const saved = await outbox.flush();
    expect(saved.map((s) => s.items)).to.deep.equal([['b.png']]);
    expect(saved[0]!.merged).to.equal(true);
    const left = await outbox.entries();
    expect(left.map((e) => e.itemId)).to.deep.equal(['a.png']);
    expect(left[0]!.conflict).to.include({ head: 'c2'.padEnd(64, '0'), reason: 'both-modified' });
    const conflict = events.find((e) => e.type === 'conflict');
    expect(conflict?.type === 'conflict' && conflict.conflict.theirs?.shapes).to.have.length(3);
    expect(conflict?.type === 'conflict' && conflict.conflict.mine?.shapes).to.have.length(1);
    // Not sent again while in conflict, and not overwritten by a new edit.
    expect(await outbox.flush()).to.deep.equal([]);
    const refused = await outbox.stage('a.png', doc('a.png', 5), base).catch((x: WorkspaceError) => x.code);
    expect(refused).to.equal('workspace/conflict-pending');
    // Keeping mine sends it on the conflict's head.
    server.conflictOn.clear();
    await outbox.keepMine('a.png');
    const [again] = await outbox.flush();
    expect(again!.parent).to.equal('c2'.padEnd(64, '0'));
    expect(server.items.get('a.png')?.shapes).to.have.length(1);
  });

  it('an item the server refuses (400 with its path) is set aside; the others go', async () => {
    const { server, outbox, events } = setup();
    server.invalid.add('bad.png');
    await outbox.stage('bad.png', doc('bad.png'), null);
    await outbox.stage('ok.png', doc('ok.png'), null);
    const saved = await outbox.flush();
    expect(saved.flatMap((s) => s.items)).to.deep.equal(['ok.png']);
    const [left] = await outbox.entries();
    expect(left?.rejected?.path).to.equal('$.items["bad.png"].shapes');
    expect(events.some((e) => e.type === 'rejected' && e.item === 'bad.png')).to.equal(true);
  });

  it('an edit made while its commit is in flight is kept, and sent next on the new head', async () => {
    const { server, outbox } = setup();
    await outbox.stage('a.png', doc('a.png', 1), null);
    const slow = server.fetch;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reached!: () => void;
    const inFlight = new Promise<void>((r) => (reached = r));
    server.fetch = async (i, init) => {
      reached();
      await gate;
      return slow(i, init);
    };
    const client = new WorkspaceClient({
      server: 'http://api.test',
      dataset: 'demo',
      fetch: (i, init) => server.fetch(i, init),
    });
    const box = new Outbox(client, { name: outbox.db.name });
    const flushing = box.flush();
    await inFlight;
    await box.stage('a.png', doc('a.png', 2), null);
    release();
    // The flush goes on until nothing is left: the newer edit follows in a second commit on the first's head.
    const [first, second] = await flushing;
    expect(second?.parent).to.equal(first!.head);
    const bodies = server.commitBodies();
    expect(bodies.map((b) => (b.items['a.png'] as { shapes: unknown[] }).shapes.length)).to.deep.equal([1, 2]);
    expect(await box.entries()).to.deep.equal([]);
  });

  it('entries on different bases go in one commit per base (never a parent newer than the edit)', async () => {
    const { server, outbox } = setup();
    const b1 = server.advance();
    const b2 = server.advance();
    await outbox.stage('old.png', doc('old.png'), b1);
    await outbox.stage('new.png', doc('new.png'), b2);
    await outbox.flush();
    expect(server.commitBodies().map((b) => b.parent)).to.deep.equal([b1, b2]);
    expect(await outbox.entries()).to.deep.equal([]);
  });

  it('flush({ keepalive }) sends the commit as a keepalive request (a closing page)', async () => {
    const { server, outbox } = setup();
    await outbox.stage('a.png', doc('a.png'), null);
    await outbox.flush({ keepalive: true });
    expect(server.requests.filter((r) => r.method === 'POST').map((r) => r.keepalive)).to.deep.equal([true]);
  });

  it('itemOfPath reads the item id from server error paths', () => {
    expect(itemOfPath('$.items["a b.png"].shapes[0].x')).to.equal('a b.png');
    expect(itemOfPath('$.items.plain.shapes')).to.equal('plain');
    expect(itemOfPath('$.message')).to.equal(undefined);
  });
});
