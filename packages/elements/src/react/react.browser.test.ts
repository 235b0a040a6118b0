import type { AnnotationDocument } from '@labelkit/core';
import { expect } from 'chai';
import type { LabelCanvas as LabelCanvasElement, LabelChangeDetail } from '../index.ts';
import { drag, pngDataUrl } from '../test-support/canvas-fixture.ts';
import { createLabelKitComponents } from './components.ts';
// React is CommonJS only: the test imports an ES module bundle of it (see fixtures/build-react-esm.ts).
// @ts-expect-error - a generated bundle without type declarations
import { ReactDOMClient as ReactDOMESM, React as ReactESM } from './fixtures/react-esm.js';

const React = ReactESM as typeof import('react');
const ReactDOMClient = ReactDOMESM as typeof import('react-dom/client');
// index.ts is createLabelKitComponents(React) with the app's React; here React is the ES module bundle.
const { LabelCanvas } = createLabelKitComponents(React);

const doc: AnnotationDocument = { version: 1, item: { id: 'i', width: 400, height: 300 }, shapes: [] };
const src = pngDataUrl(400, 300);

interface AppProps {
  canvasRef: React.RefObject<LabelCanvasElement | null>;
  onLoad: () => void;
  changes: string[];
}

function App({ canvasRef, onLoad, changes }: AppProps) {
  const [count, setCount] = React.useState(0);
  return React.createElement(
    'div',
    null,
    React.createElement('output', { id: 'count' }, String(count)),
    React.createElement(LabelCanvas, {
      ref: canvasRef,
      src,
      tool: 'box',
      document: doc,
      style: { display: 'block', width: '400px', height: '300px' },
      onLabelLoad: onLoad,
      onLabelChange: (e: CustomEvent<LabelChangeDetail>) => {
        changes.push(`${e.detail.origin}:${e.detail.diff.added[0]?.type}`);
        setCount((c) => c + 1);
      },
    }),
  );
}

describe('React wrapper (@labelkit/elements/react)', () => {
  let host: HTMLDivElement;
  afterEach(() => host?.remove());

  it('renders <label-canvas> in a React app: props become properties, on* props receive typed events', async () => {
    host = document.createElement('div');
    host.style.cssText = 'position:absolute;left:0;top:0;width:400px;height:300px';
    document.body.append(host);
    const changes: string[] = [];
    let loaded!: () => void;
    const load = new Promise<void>((r) => (loaded = r));
    const canvasRef = React.createRef<LabelCanvasElement>();
    ReactDOMClient.createRoot(host).render(React.createElement(App, { canvasRef, onLoad: () => loaded(), changes }));
    await load;
    const el = canvasRef.current!;
    expect(el.localName).to.equal('label-canvas');
    expect(el.tool).to.equal('box');
    expect(el.document).to.deep.equal(doc);
    await el.updateComplete;
    const r = el.getBoundingClientRect();
    await drag([r.left + 50, r.top + 50], [r.left + 120, r.top + 100]);
    expect(changes).to.deep.equal(['user:box']);
    await new Promise((res) => setTimeout(res, 20));
    expect(host.querySelector('#count')!.textContent).to.equal('1');
  });
});
