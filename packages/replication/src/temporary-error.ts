/** MySQL errnos the applier retries: lock wait timeout, deadlock, query killed. */
const TEMPORARY_ERRNOS: ReadonlySet<number> = new Set([1205, 1213, 1927]);

/**
 * True when `error` is worth a retry: it says `temporary: true`, or carries errno 1205,
 * 1213 or 1927. Anything else stops the domain.
 */
export function isTemporaryApplyError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const fields = error as { temporary?: unknown; errno?: unknown };
  if (fields.temporary === true) return true;
  return typeof fields.errno === 'number' && TEMPORARY_ERRNOS.has(fields.errno);
}
