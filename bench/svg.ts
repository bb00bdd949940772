// Hand-written SVG bar charts for docs/bench/*.svg: one panel per metric, one bar per peer.

/** One panel: a metric, its unit, and each peer's median. */
export interface Panel {
  title: string;
  unit: string;
  /** Which way is better, shown in the panel title. */
  better: "higher" | "lower";
  bars: { label: string; value: number; highlight?: boolean }[];
}

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function label(value: number): string {
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** A chart of stacked panels, horizontal bars, values printed at the end of each bar. */
export function barChart(title: string, panels: readonly Panel[]): string {
  const width = 720;
  const labelWidth = 190;
  const barArea = width - labelWidth - 110;
  const barHeight = 22;
  const gap = 6;
  const parts: string[] = [];
  let y = 34;
  parts.push(`<text x="12" y="22" font-size="16" font-weight="bold">${esc(title)}</text>`);
  for (const panel of panels) {
    y += 12;
    parts.push(`<text x="12" y="${y + 4}" font-size="13" font-weight="bold">${esc(`${panel.title} (${panel.unit}, ${panel.better} is better)`)}</text>`);
    y += 12;
    const max = Math.max(...panel.bars.map((b) => (Number.isFinite(b.value) ? b.value : 0)), 1e-9);
    for (const bar of panel.bars) {
      const w = Number.isFinite(bar.value) ? Math.max(1, (bar.value / max) * barArea) : 0;
      const fill = bar.highlight === true ? "#2b6cb0" : "#a0aec0";
      parts.push(
        `<text x="${labelWidth - 8}" y="${y + barHeight / 2 + 4}" font-size="12" text-anchor="end">${esc(bar.label)}</text>`,
        `<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${fill}"/>`,
        `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + barHeight / 2 + 4}" font-size="12">${Number.isFinite(bar.value) ? esc(label(bar.value)) : "n/a"}</text>`,
      );
      y += barHeight + gap;
    }
    y += 4;
  }
  const height = y + 8;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}
