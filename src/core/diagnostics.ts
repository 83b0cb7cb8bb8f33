/** A problem found while reading a file: always names the file, and the line or byte offset when known. */
export interface Diagnostic {
  file: string;
  /** 1-based line number, when the format is line-oriented. */
  line?: number;
  /** Byte offset in the file, when the format is binary or the line is unknown. */
  offset?: number;
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** Set on a reader's "N more diagnostics not shown" note: how many it left out and of which kinds (as the message says them). */
  suppressed?: { count: number; kinds?: string };
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line !== undefined ? `:${d.line}` : d.offset !== undefined ? `@${d.offset}` : '';
  return `${d.file}${where}: ${d.severity}: ${d.message}`;
}
