let last = '/';

/** Remembers the latest person search URL so a person page can link back to its results. */
export function rememberSearch(href: string): void {
  last = href;
}

export function lastSearch(): string {
  return last;
}
