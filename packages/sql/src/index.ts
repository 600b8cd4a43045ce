// Public API of @lockstep/sql: named re-exports only. Being built (see the package's issue).
export {};
