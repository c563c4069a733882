/** Percentiles and table printing for the benchmarks. */

/** The p-th percentile (0–100) of the samples, nearest-rank. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** A row of the results table. */
export interface BenchRow {
  what: string;
  samples: number;
  p50Ms: number;
  p99Ms: number;
}

/** Summarises latency samples (milliseconds) as a table row. */
export function summarise(what: string, samples: number[]): BenchRow {
  return { what, samples: samples.length, p50Ms: round(percentile(samples, 50)), p99Ms: round(percentile(samples, 99)) };
}

/** Prints rows as an aligned text table. */
export function printTable(rows: BenchRow[]): void {
  const header = ['measurement', 'n', 'p50 ms', 'p99 ms'];
  const cells = rows.map((row) => [row.what, String(row.samples), row.p50Ms.toFixed(2), row.p99Ms.toFixed(2)]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => cell[column].length)));
  const line = (cell: string[]) => cell.map((value, column) => (column === 0 ? value.padEnd(widths[column]) : value.padStart(widths[column]))).join('  ');
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const cell of cells) console.log(line(cell));
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
