// Filled in by the embedding work; see the package README.
export {};
