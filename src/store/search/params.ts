/** Collects bound parameters: every value reaches SQL as `$n`, never as text in the statement. */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
