// Public API of @lockstep/wire: named re-exports only. Being built (see the package's issue).
export {};
