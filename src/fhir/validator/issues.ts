/** One finding of the structural validator, worded as Medplum words it so Kith's messages stay put. */
export interface StructureIssue {
  expression: string;
  text: string;
  code: 'structure' | 'invariant' | 'processing';
}

export function structureIssue(expression: string, text: string): StructureIssue {
  return { expression, text, code: 'structure' };
}
