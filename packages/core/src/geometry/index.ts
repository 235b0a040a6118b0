// Filled in by the geometry work; see the package README.
export {};
