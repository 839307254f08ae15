import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ChannelKind, ChannelRef } from '../pipeline/pipeline';
import { validateSftp, type SftpConfig } from './sftp-config';

/**
 * A channel file (`<KITH_CHANNELS_DIR>/<name>.json`):
 * { "name": "wic", "kind": "wic", "source": "wic-state", "inbox": { "dir": "inbox/wic", "pollSeconds": 10 } }
 * kind: hl7v2 | hmis | eligibility | wic | jail | fhir. `inbox` is optional (file drop); `enabled`
 * defaults to true. `sftp` (see sftp-config.ts) pulls files from a server into the inbox; a channel
 * with `sftp` and no `inbox` gets `inbox/<name>`.
 */
export interface ChannelConfig extends ChannelRef {
  enabled: boolean;
  inbox?: { dir: string; pollSeconds: number };
  sftp?: SftpConfig;
  /** HL7 only: assigning authority → Identifier.system. */
  identifierSystems?: Record<string, string>;
  timeZone?: string;
  file?: string;
}

const KINDS: ChannelKind[] = ['hl7v2', 'hmis', 'eligibility', 'wic', 'jail', 'fhir'];
const KEYS = [
  'name',
  'kind',
  'source',
  'enabled',
  'inbox',
  'sftp',
  'identifierSystems',
  'timeZone',
  'description',
];

/** The default set, used when the folder has no files: documented in src/integration/channels/README.md. */
export const DEFAULT_CHANNELS: ChannelConfig[] = [
  { name: 'mllp-adt', kind: 'hl7v2', enabled: true },
  { name: 'hmis', kind: 'hmis', enabled: true, inbox: { dir: 'inbox/hmis', pollSeconds: 10 } },
  {
    name: 'eligibility',
    kind: 'eligibility',
    enabled: true,
    inbox: { dir: 'inbox/eligibility', pollSeconds: 10 },
  },
  { name: 'wic', kind: 'wic', enabled: true, inbox: { dir: 'inbox/wic', pollSeconds: 10 } },
  { name: 'jail', kind: 'jail', enabled: true, inbox: { dir: 'inbox/jail', pollSeconds: 10 } },
];

export class ChannelConfigError extends Error {}

/** Validates one parsed channel file; every problem is named with the file and the field. */
export function validateChannel(value: unknown, file: string, baseDir = '.'): ChannelConfig {
  const errors: string[] = [];
  const at = (field: string, problem: string): void => void errors.push(`${file}: ${field}: ${problem}`);
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ChannelConfigError(`${file}: the file must hold one JSON object`);
  }
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v)) if (!KEYS.includes(k)) at(k, `unknown field (allowed: ${KEYS.join(', ')})`);
  if (typeof v.name !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(v.name))
    at('name', 'must be a lower-case name of letters, digits and dashes');
  if (typeof v.kind !== 'string' || !KINDS.includes(v.kind as ChannelKind))
    at('kind', `must be one of ${KINDS.join(', ')}`);
  if (v.source !== undefined && typeof v.source !== 'string') at('source', 'must be a string');
  if (v.enabled !== undefined && typeof v.enabled !== 'boolean') at('enabled', 'must be true or false');
  if (v.timeZone !== undefined && typeof v.timeZone !== 'string') at('timeZone', 'must be an IANA zone name');
  if (v.identifierSystems !== undefined) {
    const m = v.identifierSystems;
    if (!m || typeof m !== 'object' || Object.values(m).some((x) => typeof x !== 'string'))
      at('identifierSystems', 'must map authority names to system URIs (strings)');
  }
  let inbox: ChannelConfig['inbox'];
  if (v.inbox !== undefined) {
    const i = v.inbox as Record<string, unknown>;
    if (!i || typeof i !== 'object' || typeof i.dir !== 'string' || i.dir === '')
      at('inbox.dir', 'must be a folder path');
    else if (i.pollSeconds !== undefined && (typeof i.pollSeconds !== 'number' || !(i.pollSeconds > 0)))
      at('inbox.pollSeconds', 'must be a positive number');
    else
      inbox = { dir: path.resolve(baseDir, i.dir as string), pollSeconds: (i.pollSeconds as number) ?? 10 };
  }
  const sftp = v.sftp === undefined ? undefined : validateSftp(v.sftp, at);
  if (sftp && !inbox && v.inbox === undefined && typeof v.name === 'string')
    inbox = { dir: path.resolve(baseDir, 'inbox', v.name), pollSeconds: 10 };
  if (errors.length) throw new ChannelConfigError(errors.join('\n'));
  return {
    name: v.name as string,
    kind: v.kind as ChannelKind,
    source: v.source as string | undefined,
    enabled: (v.enabled as boolean | undefined) ?? true,
    inbox,
    sftp,
    identifierSystems: v.identifierSystems as Record<string, string> | undefined,
    timeZone: v.timeZone as string | undefined,
    hl7: { identifierSystems: v.identifierSystems as Record<string, string>, timeZone: v.timeZone as string },
    file,
  };
}

/** Reads and validates every *.json in the folder; a missing folder gives the default set. */
export function loadChannels(dir = process.env.KITH_CHANNELS_DIR ?? './channels'): ChannelConfig[] {
  if (!existsSync(dir))
    return DEFAULT_CHANNELS.map((c) => ({
      ...c,
      inbox: c.inbox && { ...c.inbox, dir: path.resolve(c.inbox.dir) },
    }));
  const errors: string[] = [];
  const out: ChannelConfig[] = [];
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.json'))
    .sort()) {
    const file = path.join(dir, f);
    try {
      out.push(validateChannel(JSON.parse(readFileSync(file, 'utf8')), file, dir));
    } catch (err) {
      errors.push(
        err instanceof SyntaxError ? `${file}: not valid JSON: ${err.message}` : (err as Error).message,
      );
    }
  }
  const names = new Set<string>();
  for (const c of out) {
    if (names.has(c.name)) errors.push(`${c.file}: name: '${c.name}' is used by another channel file`);
    names.add(c.name);
  }
  if (errors.length) throw new ChannelConfigError(`Channel configuration errors:\n${errors.join('\n')}`);
  return out;
}
