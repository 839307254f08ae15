/**
 * A background loop that runs rounds back to back while they find work, and otherwise sleeps
 * `pollMs` or until `poke()` (a write that queued work wakes it at once). A failed round is logged
 * and the loop goes on: the work it claimed is leased in the database and comes back.
 */
export class PollLoop {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(
    /** One round; returns how many items it handled (0: sleep before the next). */
    private readonly round: () => Promise<number>,
    private readonly pollMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  poke(): void {
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let n = 0;
      try {
        n = await this.round();
      } catch (err) {
        if (this.running) this.onError(err);
      }
      if (n === 0 && this.running) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.pollMs);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }
}
