/** Most names a memo keeps per owner: unknown names come from clients, so they must not grow it without bound. */
const MAX_NAMES = 1000;

/**
 * `resolve` remembered per owner (a type's schema or its elements) and name: the same few dozen
 * property names recur on every write, and resolving a choice name probes the type's elements.
 * Names that resolve are always kept; unknown ones only while the owner's memo is small.
 */
export function memoByName<O extends object, V>(
  resolve: (owner: O, name: string) => V | undefined,
): (owner: O, name: string) => V | undefined {
  const memos = new WeakMap<O, Map<string, V | null>>();
  return (owner, name) => {
    let memo = memos.get(owner);
    if (!memo) memos.set(owner, (memo = new Map()));
    const known = memo.get(name);
    if (known !== undefined) return known ?? undefined;
    const found = resolve(owner, name);
    if (found !== undefined || memo.size < MAX_NAMES) memo.set(name, found ?? null);
    return found;
  };
}
