import { structureIssue, type StructureIssue } from './issues';

/**
 * FHIR JSON allows `null` in one place only: a slot of a primitive array whose partner (`_given` for
 * `given`, or the reverse) carries that slot. Every other null, anywhere in the tree (unknown
 * properties included), is an error.
 */
export function nullIssues(obj: Record<string, unknown>, path: string, issues: StructureIssue[]): void {
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    const at = `${path}.${key}`;
    if (value === null) {
      issues.push(structureIssue(at, 'Invalid null value'));
    } else if (Array.isArray(value)) {
      const partner = obj[key.startsWith('_') ? key.slice(1) : `_${key}`] as unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (item === undefined) issues.push(structureIssue(`${at}[${i}]`, 'Invalid undefined value'));
        else if (item === null && !(partner as Record<number, unknown> | undefined)?.[i])
          issues.push(structureIssue(`${at}[${i}]`, 'Invalid null value'));
        else if (item && typeof item === 'object')
          nullIssues(item as Record<string, unknown>, `${at}[${i}]`, issues);
      }
    } else if (typeof value === 'object') {
      nullIssues(value as Record<string, unknown>, at, issues);
    }
  }
}
