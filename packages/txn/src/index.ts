// Public API of @lockstep/txn: named re-exports only. Being built (see the package's issue).
export {};
