import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root (apps/bench/src/../../..). */
export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Where the committed benchmark documents and charts live (LOCKSTEP_BENCH_DOCS_DIR redirects it, for tests). */
export const docsDir = process.env.LOCKSTEP_BENCH_DOCS_DIR ?? join(repositoryRoot, 'docs');
