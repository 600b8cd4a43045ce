// Public API of @lockstep/binlog: named re-exports only. Being built (see the package's issue).
export {};
