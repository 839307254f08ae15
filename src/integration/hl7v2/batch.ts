import { HL7_ERROR, hl7Issue, quote, type Hl7Issue } from '../issues';
import { splitSegments } from './normalize';

export interface Hl7BatchMessage {
  /** The message, CR-separated, ready for parseHl7. */
  text: string;
  /** 1-based line of the file where its MSH is, for pointing at it in a report. */
  line: number;
}

export interface Hl7Batch {
  fileHeader?: string;
  batchHeaders: string[];
  messages: Hl7BatchMessage[];
  issues: Hl7Issue[];
}

/**
 * Splits an HL7 batch file (FHS/BHS ... MSH ... BTS/FTS) or a plain file of consecutive messages
 * into messages. Envelope counts (BTS-1 message count, FTS-1 batch count) are checked, and a
 * mismatch — the sign of a truncated transfer — is reported without dropping what did arrive.
 */
export function splitHl7Batch(input: string | Uint8Array): Hl7Batch {
  const lines = splitSegments(input);
  const batch: Hl7Batch = { batchHeaders: [], messages: [], issues: [] };
  let current: { lines: string[]; line: number } | null = null;
  let inBatch = 0; // messages since the last BHS
  let batches = 0;
  let sawBts = false;
  let sawFts = false;
  let fieldSep = '|';

  const close = (): void => {
    if (current) batch.messages.push({ text: current.lines.join('\r'), line: current.line });
    current = null;
  };

  lines.forEach((line, i) => {
    const name = line.slice(0, 3);
    const lineNo = i + 1;
    switch (name) {
      case 'FHS':
        close();
        fieldSep = line[3] ?? '|';
        batch.fileHeader = line;
        break;
      case 'BHS':
        close();
        fieldSep = line[3] ?? fieldSep;
        batch.batchHeaders.push(line);
        batches++;
        inBatch = 0;
        break;
      case 'BTS': {
        close();
        sawBts = true;
        const declared = line.split(fieldSep)[1];
        if (declared && /^\d+$/.test(declared) && Number(declared) !== inBatch) {
          batch.issues.push(
            hl7Issue(
              'warning',
              HL7_ERROR.segmentSequence,
              { segment: 'BTS', field: 1 },
              `batch declares ${declared} messages but ${inBatch} were found (line ${lineNo}); the transfer may be truncated`,
              declared,
            ),
          );
        }
        break;
      }
      case 'FTS': {
        close();
        sawFts = true;
        const declared = line.split(fieldSep)[1];
        if (declared && /^\d+$/.test(declared) && Number(declared) !== batches) {
          batch.issues.push(
            hl7Issue(
              'warning',
              HL7_ERROR.segmentSequence,
              { segment: 'FTS', field: 1 },
              `file declares ${declared} batches but ${batches} were found`,
              declared,
            ),
          );
        }
        break;
      }
      case 'MSH':
        close();
        current = { lines: [line], line: lineNo };
        inBatch++;
        break;
      default:
        if (current) current.lines.push(line);
        else
          batch.issues.push(
            hl7Issue(
              'error',
              HL7_ERROR.segmentSequence,
              { segment: /^[A-Z][A-Z0-9]{2}$/.test(name) ? name : '' },
              `line ${lineNo} ${quote(line.slice(0, 20))} is outside any message (no MSH before it); skipped`,
            ),
          );
    }
  });
  close();
  if (batch.batchHeaders.length > 0 && !sawBts) {
    batch.issues.push(
      hl7Issue(
        'warning',
        HL7_ERROR.segmentSequence,
        { segment: 'BTS' },
        'batch has no BTS trailer; the transfer may be truncated',
      ),
    );
  }
  if (batch.fileHeader && !sawFts) {
    batch.issues.push(
      hl7Issue(
        'warning',
        HL7_ERROR.segmentSequence,
        { segment: 'FTS' },
        'file has no FTS trailer; the transfer may be truncated',
      ),
    );
  }
  return batch;
}
