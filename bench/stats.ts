// Small statistics for the runner: medians and same-round ratios.

/** The median of the finite values (NaN when there are none). */
export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Ratios num[i] / den[i] of the rounds where both are measured. */
export function pairRatios(num: readonly (number | undefined)[], den: readonly (number | undefined)[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(num.length, den.length); i++) {
    const n = num[i];
    const d = den[i];
    if (n !== undefined && d !== undefined && Number.isFinite(n) && Number.isFinite(d) && d !== 0) out.push(n / d);
  }
  return out;
}

/** A number with about three significant digits, thousands separated. */
export function fmt(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return "–";
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
