// Filled in by the store work; see the package README.
export {};
