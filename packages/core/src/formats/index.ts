// Filled in by the formats work; see the package README.
export {};
