import { css } from 'lit';

export const canvasStyles = css`
  :host {
    display: block;
    position: relative;
    min-height: 200px;
    background: var(--label-canvas-background, #1e1e1e);
    color: var(--label-canvas-color, #eee);
    overflow: hidden;
    contain: strict;
  }
  :host(:focus-visible) {
    outline: var(--label-focus-ring, 2px solid #4d90fe);
    outline-offset: -2px;
  }
  [part='stage'] {
    position: absolute;
    inset: 0;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  [part='message'] {
    position: absolute;
    left: 50%;
    top: 50%;
    transform: translate(-50%, -50%);
    font: 14px/1.4 system-ui, sans-serif;
    /* A status over the image ("Preparing the model...") must not swallow the drawing under it. */
    pointer-events: none;
  }
`;
