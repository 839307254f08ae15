import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Pipeline, PipelineOutcome } from '../pipeline/pipeline';
import { isZipFile } from '../hmis/zip';
import type { ChannelConfig } from './config';

/**
 * A file-drop inbox: every pollSeconds, each file (or, for HMIS, each export sub-folder or zip) in the
 * folder goes through the pipeline, then moves to processed/ or failed/. The raw content is in
 * integration_messages first, so a crash between commit and move only repeats a duplicate.
 */
export class Inbox {
  private timer?: NodeJS.Timeout;
  private running?: Promise<PipelineOutcome[]>;

  constructor(
    readonly channel: ChannelConfig,
    private readonly pipeline: Pipeline,
  ) {}

  get dir(): string {
    return this.channel.inbox!.dir;
  }

  start(): void {
    const every = (this.channel.inbox?.pollSeconds ?? 10) * 1000;
    this.timer = setInterval(() => void this.poll().catch(() => undefined), every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Processes what is in the folder now (one poll at a time). */
  async poll(): Promise<PipelineOutcome[]> {
    if (this.running) return this.running;
    this.running = this.pollOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pollOnce(): Promise<PipelineOutcome[]> {
    if (!existsSync(this.dir)) return [];
    const out: PipelineOutcome[] = [];
    for (const entry of (await readdir(this.dir, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (entry.name.startsWith('.') || entry.name === 'processed' || entry.name === 'failed') continue;
      if (entry.name.endsWith('.error.txt')) continue;
      const full = path.join(this.dir, entry.name);
      let outcome: PipelineOutcome | undefined;
      let ok: boolean;
      let error: string | undefined;
      try {
        if (this.channel.kind === 'hmis') {
          // An export sub-folder, or a zip of one (read once its size is stable).
          if (entry.isFile() && !(await this.stable(full))) continue;
          if (!entry.isDirectory() && !(entry.isFile() && (await isZipFile(full))))
            throw new Error('not an HMIS export: the HMIS inbox takes an export folder or a zip file of one');
          outcome = await this.pipeline.receiveHmisFolder(this.channel, full);
        } else {
          if (!entry.isFile()) continue;
          if (!(await this.stable(full))) continue;
          const text = await readFile(full, 'utf8');
          if (this.channel.kind === 'hl7v2') {
            outcome = await this.pipeline.receiveHl7(this.channel, text);
          } else if (this.channel.kind === 'fhir') {
            outcome = await this.pipeline.receiveFhirBundle(this.channel, JSON.parse(text));
          } else {
            outcome = await this.pipeline.receiveCsv(this.channel, text, entry.name);
          }
        }
        ok = outcome.status === 'committed';
        out.push(outcome);
      } catch (err) {
        // What could not even be read is a dead letter too, and the operator sees why beside the file.
        ok = false;
        error = `${entry.name}: ${(err as Error).message}; moved to failed/`;
        out.push(await this.pipeline.rejectInput(this.channel, entry.name, error));
      }
      const target = path.join(this.dir, ok ? 'processed' : 'failed');
      await mkdir(target, { recursive: true });
      const moved = path.join(target, `${Date.now()}-${entry.name}`);
      await rename(full, moved);
      if (error) await writeFile(`${moved}.error.txt`, `${error}\n`);
    }
    return out;
  }

  /** A file still being written is skipped: its size must be stable over a short interval. */
  private async stable(file: string): Promise<boolean> {
    const s1 = (await stat(file)).size;
    await new Promise((r) => setTimeout(r, 200));
    return (await stat(file)).size === s1;
  }
}
