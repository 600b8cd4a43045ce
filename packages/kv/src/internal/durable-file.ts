import type { FileSystem } from '@lockstep/base';

/**
 * Writes `name` in `dir` crash-safely: a temporary file is written and fsynced, renamed
 * over the name, and the directory is fsynced. After a crash the name holds either the old
 * content or the new, never a mix. `writeBody` receives a writer at increasing offsets.
 */
export async function writeFileDurably(
  fs: FileSystem,
  dir: string,
  name: string,
  writeBody: (write: (bytes: Uint8Array) => Promise<void>) => Promise<void>,
): Promise<void> {
  const temporary = `${dir}/${name}.tmp`;
  const handle = await fs.open(temporary, { create: true, truncate: true });
  let offset = 0;
  try {
    await writeBody(async (bytes) => {
      await handle.write(bytes, offset);
      offset += bytes.length;
    });
    await handle.sync();
  } finally {
    await handle.close().catch(() => undefined);
  }
  await fs.rename(temporary, `${dir}/${name}`);
  await fs.syncDir(dir);
}
