import { css } from 'lit';

export const workspaceStyles = css`
  :host {
    display: grid;
    grid-template-columns: minmax(140px, 220px) 1fr minmax(180px, 260px);
    grid-template-rows: auto auto 1fr;
    grid-template-areas:
      'header header header'
      'strip toolbar aside'
      'strip canvas aside';
    height: 100%;
    min-height: 400px;
  }
  header {
    grid-area: header;
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px;
    padding: 4px 8px;
    border-bottom: 1px solid var(--_border);
  }
  header .spacer {
    flex: 1;
  }
  [part='strip'] {
    grid-area: strip;
    display: flex;
    flex-direction: column;
    min-height: 0;
    border-right: 1px solid var(--_border);
  }
  [part='strip'] ul {
    list-style: none;
    margin: 0;
    padding: 0;
    overflow: auto;
    flex: 1;
  }
  [part='strip'] li button {
    width: 100%;
    text-align: left;
    border: 0;
    border-left: 3px solid transparent;
    border-radius: 0;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  [part='strip'] li button[aria-current='true'] {
    border-left-color: var(--_accent);
    background: var(--_hover);
  }
  .filters,
  .nav {
    display: flex;
    flex-wrap: wrap;
    gap: 4px;
    padding: 4px;
  }
  .dot {
    display: inline-block;
    width: 0.6em;
    height: 0.6em;
    border-radius: 50%;
    margin-right: 4px;
    border: 1px solid currentColor;
  }
  .dot[data-status='in-progress'] {
    background: #f9a825;
  }
  .dot[data-status='done'] {
    background: #43a047;
  }
  .dot[data-status='reviewed'] {
    background: #1e88e5;
  }
  label-toolbar {
    grid-area: toolbar;
  }
  label-canvas {
    grid-area: canvas;
    min-height: 0;
  }
  aside {
    grid-area: aside;
    overflow: auto;
    border-left: 1px solid var(--_border);
    min-height: 0;
  }
  [part='save-state'][data-state='offline'],
  [part='save-state'][data-state='conflict'],
  [part='save-state'][data-state='error'] {
    color: #c62828;
    font-weight: 600;
  }
  [part='banner'] {
    grid-column: 1 / -1;
    padding: 4px 8px;
    background: var(--_hover);
  }
  [part='history'] ol {
    margin: 0;
    padding: 0 0 0 1.4em;
  }
  [part='history'] li {
    margin: 4px 0;
  }
  .meta {
    opacity: 0.75;
    font-size: 0.9em;
  }
  select {
    font: inherit;
  }
`;
