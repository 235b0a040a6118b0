import { css } from 'lit';

export const toolbarStyles = css`
  :host {
    padding: 4px;
    border-bottom: 1px solid var(--_border);
  }
  [role='toolbar'] {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
  }
  [role='group'] {
    display: inline-flex;
    gap: 2px;
  }
`;
