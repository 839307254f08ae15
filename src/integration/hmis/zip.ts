import { open } from 'node:fs/promises';
import { unzipSync } from 'fflate';
import type { HmisFiles } from './context';
import { HMIS_FILES } from './spec';

/** Refuses archives that would unpack to more than this (a zip bomb, or not an HMIS export). */
const MAX_UNPACKED_BYTES = 2 * 1024 ** 3;

export class HmisZipError extends Error {}

/**
 * Reads the HMIS files of a zipped export. Exports are zipped flat or inside one folder, so each
 * CSV is matched by its base name (case-insensitive); the same file in two folders is refused
 * rather than guessed.
 */
export function readHmisZip(bytes: Uint8Array, zipName = 'zip'): HmisFiles {
  const wanted = new Map(HMIS_FILES.map((f) => [f.toLowerCase(), f]));
  const baseName = (entry: string): string => entry.split('/').pop()!.toLowerCase();
  let unpacked = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (f) => {
        if (f.name.split('/').some((p) => p.startsWith('__MACOSX') || p.startsWith('.'))) return false;
        if (!wanted.has(baseName(f.name))) return false;
        unpacked += f.originalSize;
        if (unpacked > MAX_UNPACKED_BYTES)
          throw new HmisZipError(`${zipName}: unpacks to more than ${MAX_UNPACKED_BYTES} bytes`);
        return true;
      },
    });
  } catch (err) {
    if (err instanceof HmisZipError) throw err;
    throw new HmisZipError(`${zipName}: not a readable zip archive (${(err as Error).message})`);
  }
  const files: HmisFiles = {};
  const from = new Map<string, string>();
  for (const [entry, data] of Object.entries(entries)) {
    const name = wanted.get(baseName(entry))!;
    if (from.has(name))
      throw new HmisZipError(`${zipName}: ${name} is in the archive twice (${from.get(name)} and ${entry})`);
    from.set(name, entry);
    files[name] = data;
  }
  if (Object.keys(files).length === 0)
    throw new HmisZipError(`${zipName}: holds no HMIS CSV files (expected ${HMIS_FILES[0]} and others)`);
  return files;
}

/** True when the path is a file that starts with the zip local-header signature "PK\x03\x04". */
export async function isZipFile(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    if (!(await handle.stat()).isFile()) return false;
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && head.equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  } finally {
    await handle.close();
  }
}
