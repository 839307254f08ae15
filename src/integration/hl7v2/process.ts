import type { Hl7Message } from '@medplum/core';
import { hasErrors, type Hl7Issue } from '../issues';
import type { MappingResult } from '../result';
import { Hl7Context, type Hl7MappingOptions } from './context';
import { triggerEventOf } from './events';
import { mapAdt } from './map-adt';
import { mapMerge } from './map-merge';
import { mapOru } from './map-oru';
import { parseHl7, type ParsedHl7 } from './parse';
import { ackCodeFor, validateHl7 } from './validate';
import type { AckCode } from './ack';

/**
 * Maps an already validated message to FHIR. Dispatches on MSH-9: ADT events, ADT^A40 merges,
 * ORU^R01 results. An unsupported type yields an empty result (validateHl7 refuses it first).
 */
export function mapHl7Message(parsed: ParsedHl7, options: Hl7MappingOptions = {}): MappingResult {
  if (!parsed.header || parsed.segments.length === 0) return { resources: [], merges: [], issues: [] };
  const ctx = new Hl7Context(parsed, options);
  const type = parsed.header.messageType.toUpperCase();
  const event = triggerEventOf(type, parsed.header.triggerEvent, ctx.first('EVN')?.get(1).trim());
  if (type === 'ADT' && event === 'A40') mapMerge(ctx);
  else if (type === 'ADT') mapAdt(ctx, event);
  else if (type === 'ORU' && event === 'R01') mapOru(ctx);
  return ctx.builder.finish();
}

export interface Hl7Outcome {
  parsed: ParsedHl7;
  /** `source|MSH-10`: the key under which the raw message is stored exactly once. */
  messageKey: string;
  /** Every issue: framing, validation and mapping. */
  issues: Hl7Issue[];
  /** Empty when any error was found: a message is committed whole or not at all. */
  result: MappingResult;
  /** What to acknowledge with once the result is committed (AA only after the commit succeeds). */
  ackCode: AckCode;
}

/**
 * parse → validate → map for one message: the single entry point the MLLP listener and the file
 * channel call. Pure: nothing is stored and no ACK is sent here; the pipeline commits
 * `result`, then sends `buildAck(outcome.parsed, outcome.ackCode, outcome.issues)`.
 */
export function processHl7(
  input: string | Uint8Array | Hl7Message,
  options: Hl7MappingOptions = {},
): Hl7Outcome {
  const parsed = parseHl7(input);
  const issues: Hl7Issue[] = [...parsed.issues, ...validateHl7(parsed, options)];
  const source =
    options.source ??
    (parsed.header?.sendingFacility[0] || parsed.header?.sendingApplication[0] || 'unknown');
  const messageKey = `${source}|${parsed.header?.controlId ?? ''}`;
  if (hasErrors(issues)) {
    return {
      parsed,
      messageKey,
      issues,
      result: { resources: [], merges: [], issues },
      ackCode: ackCodeFor(issues),
    };
  }
  const mapped = mapHl7Message(parsed, options);
  const all = [...issues, ...(mapped.issues as Hl7Issue[])];
  const failed = hasErrors(all);
  const result: MappingResult = failed
    ? { resources: [], merges: [], issues: all }
    : { ...mapped, issues: all };
  return { parsed, messageKey, issues: all, result, ackCode: ackCodeFor(all) };
}
