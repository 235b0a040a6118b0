/**
 * LabelKit in a React app: `@labelkit/elements/react` wraps the elements with @lit/react, so properties are
 * React props and events are typed `on*` callbacks. The document is controlled: React state holds it, the canvas
 * reports each change and the app decides what to keep (here: everything, plus an undo-free "reset").
 */
import type { AnnotationDocument, LabelDef } from '@labelkit/core';
import { LabelCanvas, LabelList, LabelToolbar } from '@labelkit/elements/react';
import { StrictMode, useCallback, useState } from 'react';
import { createRoot } from 'react-dom/client';

const LABELS: LabelDef[] = [
  { id: 'disc', name: 'Disc', color: '#e6194b' },
  { id: 'square', name: 'Square', color: '#3cb44b' },
];

function App() {
  const [doc, setDoc] = useState<AnnotationDocument | undefined>(undefined);
  const [status, setStatus] = useState('Loading…');

  const onLoad = useCallback((e: CustomEvent<{ width: number; height: number }>) => {
    setStatus(`Loaded ${e.detail.width}×${e.detail.height}`);
  }, []);
  const onChange = useCallback((e: CustomEvent<{ document: AnnotationDocument; origin: string }>) => {
    setDoc(e.detail.document);
    setStatus(`${e.detail.document.shapes.length} shapes (${e.detail.origin} change)`);
  }, []);

  return (
    <main>
      <h1>React</h1>
      <div className="editor">
        <LabelToolbar for="canvas" />
        <LabelCanvas
          id="canvas"
          src="/assets/shapes.png"
          tool="box"
          labels={LABELS}
          document={doc}
          aria-label="Image to annotate"
          style={{ height: '100%' }}
          onLabelLoad={onLoad}
          onLabelChange={onChange}
          onLabelError={(e) => setStatus(`Error: ${e.detail.error.message}`)}
        />
        <LabelList for="canvas" aria-label="Shapes" />
      </div>
      <p role="status" id="status">
        {status}
      </p>
      <button type="button" onClick={() => setDoc(doc ? { ...doc, shapes: [] } : doc)}>
        Remove all shapes
      </button>
      <pre id="json">{doc ? JSON.stringify(doc.shapes) : ''}</pre>
    </main>
  );
}

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
