import { expect } from 'chai';
import { Autosave } from './autosave.ts';
import { WorkspaceError } from './errors.ts';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, timeout = 3000): Promise<void> {
  const end = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await wait(10);
  }
}

describe('Autosave', () => {
  let autosave: Autosave | undefined;
  afterEach(() => autosave?.stop());

  it('debounces edits: many schedules within the delay make one save', async () => {
    const reasons: string[] = [];
    autosave = new Autosave(async (r) => void reasons.push(r), { delay: 400 });
    for (let i = 0; i < 5; i++) {
      autosave.schedule();
      await wait(15);
    }
    expect(reasons).to.deep.equal([]);
    await until(() => reasons.length > 0);
    await wait(450);
    expect(reasons).to.deep.equal(['edit']);
  });

  it('saves at once on pagehide, on the page turning hidden, and when the connection comes back', async () => {
    const reasons: string[] = [];
    autosave = new Autosave(async (r) => void reasons.push(r), { delay: 10_000 });
    autosave.schedule();
    window.dispatchEvent(new Event('pagehide'));
    await wait(0);
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    // Removing the own property brings back the prototype's getter.
    delete (document as { visibilityState?: unknown }).visibilityState;
    window.dispatchEvent(new Event('online'));
    await wait(0);
    expect(reasons).to.deep.equal(['pagehide', 'hidden', 'online']);
    // The scheduled save was folded into the first of them.
    await wait(50);
    expect(reasons).to.have.length(3);
  });

  it('retries transient failures with a growing delay, and not other failures', async () => {
    let calls = 0;
    autosave = new Autosave(
      async () => {
        calls++;
        if (calls < 3) throw new WorkspaceError('workspace/network', 'offline');
      },
      { retryDelay: 20 },
    );
    await autosave.now();
    await until(() => calls === 3);
    // Succeeded: no more tries.
    await wait(100);
    expect(calls).to.equal(3);

    let refused = 0;
    autosave.stop();
    autosave = new Autosave(
      async () => {
        refused++;
        throw new WorkspaceError('auth/forbidden', 'no', { status: 403 });
      },
      { retryDelay: 5 },
    );
    await autosave.now();
    await wait(50);
    expect(refused).to.equal(1);
  });

  it('does nothing once stopped', async () => {
    let calls = 0;
    autosave = new Autosave(async () => void calls++, { delay: 5 });
    autosave.schedule();
    autosave.stop();
    window.dispatchEvent(new Event('online'));
    await wait(30);
    expect(calls).to.equal(0);
  });
});
