// `cem analyze` (run by `pnpm build`) writes custom-elements.json from the components' JSDoc
// (@tagname, @fires, @csspart, @cssproperty, @slot).
export default {
  globs: ['src/components/**/*.component.ts'],
  outdir: '.',
  litelement: true,
  plugins: [
    {
      // The canvas emits every documented event through one helper, `emit(name, detail)`; the analyzer reads that
      // helper's `new CustomEvent(name, ...)` as an event called "name". The real events come from @fires.
      name: 'drop-generic-emit',
      packageLinkPhase({ customElementsManifest }) {
        for (const mod of customElementsManifest.modules) {
          for (const decl of mod.declarations ?? []) {
            if (decl.events) decl.events = decl.events.filter((e) => e.name !== 'name');
          }
        }
      },
    },
  ],
};
