/** The version of @labelkit/elements, stamped on each element class so that a second copy can be detected. */
export const VERSION = '0.1.0';

type Versioned = CustomElementConstructor & { labelkitVersion?: string };

/**
 * Defines a custom element once. Host apps load bundles twice more often than one thinks (a CDN script and an
 * npm copy, two micro-frontends): defining again is harmless, and only a different version is worth a warning.
 */
export function defineElement(
  tag: string,
  ctor: CustomElementConstructor,
  registry: CustomElementRegistry = customElements,
): void {
  const existing = registry.get(tag) as Versioned | undefined;
  if (existing) {
    const theirs = existing.labelkitVersion;
    if (theirs !== undefined && theirs !== VERSION) {
      console.warn(`<${tag}> is already defined by @labelkit/elements ${theirs}; this copy (${VERSION}) is not used.`);
    }
    return;
  }
  (ctor as Versioned).labelkitVersion = VERSION;
  registry.define(tag, ctor);
}
