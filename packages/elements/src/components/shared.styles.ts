import { css } from 'lit';

/**
 * Look shared by the companions. Light by default, dark when the page prefers it or when a host sets
 * `color-scheme: dark` style variables; every colour is a custom property so a host theme wins.
 */
export const companionStyles = css`
  :host {
    --_bg: var(--label-panel-background, #fff);
    --_fg: var(--label-panel-color, #1f1f1f);
    --_border: var(--label-panel-border, #d0d0d0);
    --_accent: var(--label-accent, #1a73e8);
    --_hover: var(--label-panel-hover, rgba(0, 0, 0, 0.06));
    display: block;
    background: var(--_bg);
    color: var(--_fg);
    font: var(--label-font, 13px/1.4 system-ui, sans-serif);
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_bg: var(--label-panel-background, #202124);
      --_fg: var(--label-panel-color, #e8eaed);
      --_border: var(--label-panel-border, #3c4043);
      --_hover: var(--label-panel-hover, rgba(255, 255, 255, 0.08));
    }
  }
  button {
    font: inherit;
    color: inherit;
    background: transparent;
    border: 1px solid var(--_border);
    border-radius: 4px;
    padding: 3px 8px;
    cursor: pointer;
  }
  button:hover {
    background: var(--_hover);
  }
  button[aria-pressed='true'] {
    border-color: var(--_accent);
    box-shadow: inset 0 0 0 1px var(--_accent);
  }
  button:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 1px;
  }
  button:disabled {
    opacity: 0.45;
    cursor: default;
  }
  .swatch {
    display: inline-block;
    width: 0.8em;
    height: 0.8em;
    border-radius: 2px;
    margin-right: 4px;
    vertical-align: -1px;
  }
`;
