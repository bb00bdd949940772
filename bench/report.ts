// Renders docs/benchmarks.md and its charts (docs/bench/*.svg) from one run's measurements.
import type { CaseSpec, Measured, Peer } from "./cases.js";
import { fmt, median, pairRatios } from "./stats.js";
import { barChart } from "./svg.js";

export interface RunInfo {
  date: string;
  quick: boolean;
  durationS: number;
  cpu: string;
  cores: number;
  memGiB: number;
  kernel: string;
  node: string;
  rssSource: string;
  python: string | null;
  pythonSkipped: string | null;
  versions: Record<string, string>;
  casesRun: string;
}

export interface CaseReport {
  spec: CaseSpec;
  peers: Peer[];
  rounds: number;
  /** Per peer, per round (undefined where the client failed). */
  runs: Record<string, (Measured | undefined)[]>;
  failures: string[];
  skipped: string | null;
}

interface Verdict {
  caseId: string;
  label: string;
  value: number;
  target: string;
  met: boolean | null;
}

function series(report: CaseReport, peer: string, metric: string): (number | undefined)[] {
  const m = report.spec.metrics.find((x) => x.key === metric);
  if (m === undefined) throw new Error(`case ${report.spec.id}: no metric ${metric}`);
  const runs = report.runs[peer] ?? [];
  return Array.from({ length: report.rounds }, (_, i) => {
    const run = runs[i];
    return run === undefined ? undefined : m.get(run);
  });
}

function check(value: number, op: ">=" | "<=", bound: number): boolean | null {
  if (!Number.isFinite(value)) return null;
  return op === ">=" ? value >= bound : value <= bound;
}

/** libcloud-ts's own rows (over HTTPS, on another Node too), shown in bold and highlighted in the charts. */
const isOurs = (peer: Peer): boolean => (peer.clientPeer ?? peer.name) === "libcloud-ts";

const mark = (met: boolean | null): string => (met === null ? "not measured" : met ? "**met**" : "**missed**");

function renderCase(report: CaseReport, verdicts: Verdict[], charts: Record<string, string>): string {
  const { spec } = report;
  const out: string[] = [`## ${spec.id}. ${spec.title}`, "", spec.description, ""];
  if (report.skipped !== null) {
    out.push(`**Skipped: ${report.skipped}**`, "");
    return out.join("\n");
  }
  const header = ["Peer", ...spec.metrics.map((m) => `${m.title} (${m.unit})`), "Runs"];
  out.push(`| ${header.join(" | ")} |`, `|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`);
  for (const peer of report.peers) {
    const cells = spec.metrics.map((m) => fmt(median(series(report, peer.name, m.key).filter((v): v is number => v !== undefined))));
    const ok = (report.runs[peer.name] ?? []).filter((r) => r !== undefined).length;
    out.push(`| ${isOurs(peer) ? `**${peer.name}**` : peer.name} | ${cells.join(" | ")} | ${ok}/${report.rounds} |`);
  }
  out.push("", "Medians over the rounds. Peers:", "");
  for (const peer of report.peers) out.push(`- **${peer.name}**: ${peer.note}`);
  out.push("");
  const present = new Set(report.peers.map((p) => p.name));
  const comparisons = spec.comparisons.filter((c) => present.has(c.num[0]) && present.has(c.den[0]));
  for (const c of spec.comparisons) {
    if (c.target === undefined || comparisons.includes(c)) continue;
    const target = `${c.target.op === ">=" ? "≥" : "≤"} ${c.target.value}×`;
    verdicts.push({ caseId: spec.id, label: `${c.label} (peer not run)`, value: Number.NaN, target, met: null });
  }
  if (comparisons.length > 0 || spec.checks.length > 0) {
    out.push("| Ratio (same round) | Median | Per round | Target | |", "|---|---:|---|---:|---|");
    for (const c of comparisons) {
      const ratios = pairRatios(series(report, c.num[0], c.num[1]), series(report, c.den[0], c.den[1]));
      const value = median(ratios);
      const met = c.target === undefined ? null : check(value, c.target.op, c.target.value);
      const target = c.target === undefined ? "" : `${c.target.op === ">=" ? "≥" : "≤"} ${c.target.value}×`;
      if (c.target !== undefined) verdicts.push({ caseId: spec.id, label: c.label, value, target, met });
      out.push(`| ${c.label} | ${fmt(value)}× | ${ratios.map((r) => fmt(r)).join(", ")} | ${target} | ${c.target === undefined ? "" : mark(met)} |`);
    }
    for (const c of spec.checks) {
      const values = series(report, c.peer, c.metric).filter((v): v is number => v !== undefined);
      const value = median(values);
      const met = check(value, c.op, c.value);
      const target = `${c.op === ">=" ? "≥" : "≤"} ${c.value}`;
      verdicts.push({ caseId: spec.id, label: c.label, value, target, met });
      out.push(`| ${c.label} | ${fmt(value)} | ${values.map((v) => fmt(v)).join(", ")} | ${target} | ${mark(met)} |`);
    }
    out.push("");
  }
  const name = `case-${spec.id}.svg`;
  charts[name] = barChart(`${spec.id}. ${spec.title}`, spec.metrics.map((m) => ({
    title: m.title,
    unit: m.unit,
    better: m.better,
    bars: report.peers.map((p) => ({
      label: p.name,
      value: median(series(report, p.name, m.key).filter((v): v is number => v !== undefined)),
      highlight: isOurs(p),
    })),
  })));
  out.push(`![${spec.id}. ${spec.title}](bench/${name})`, "");
  if (report.failures.length > 0) {
    out.push("Failed runs:", "", ...report.failures.map((f) => `    ${f.replace(/\n/g, "\n    ")}`), "");
  }
  return out.join("\n");
}

/** The page and its charts. `notes` (bench/notes.md) is appended as written. */
export function renderPage(info: RunInfo, reports: CaseReport[], notes: string): { markdown: string; charts: Record<string, string> } {
  const charts: Record<string, string> = {};
  const verdicts: Verdict[] = [];
  const sections = reports.map((r) => renderCase(r, verdicts, charts));
  const out: string[] = [
    "# Benchmarks",
    "",
    "<!-- Generated by `npm run bench` (bench/run.ts); edit bench/notes.md or the bench code, not this file. -->",
    "",
    `Run ${info.date}${info.quick ? " with `--quick` (smoke run: small sizes, few rounds; not for conclusions)" : ""}, ${info.durationS.toFixed(0)} s, cases ${info.casesRun}.`,
    "Each peer runs in its own client process against a loopback server in another process (plain `node:http`, keep-alive, 127.0.0.1); peers alternate within each round, the order rotated each round.",
    "Absolute numbers drift by ±30 % on this machine, so compare the **ratios**: each is taken between peers of the *same round*, and the median of those is reported.",
    "",
    "## Machine and versions",
    "",
    `- CPU: ${info.cpu}, ${info.cores} cores; ${info.memGiB.toFixed(1)} GiB RAM; ${info.kernel}`,
    `- Node ${info.node}; peak RSS from ${info.rssSource}`,
    ...Object.entries(info.versions).map(([k, v]) => `- ${k}: ${v}`),
    `- Python libcloud: ${info.python ?? `skipped (${info.pythonSkipped ?? ""})`}`,
    "",
    "## Targets (issue 6; case e and case b over HTTPS: issue 13)",
    "",
    "| Case | Target | Measured | Target | |",
    "|---|---|---:|---:|---|",
    ...verdicts.map((v) => `| ${v.caseId} | ${v.label} | ${fmt(v.value)}${v.target.endsWith("×") ? "×" : ""} | ${v.target} | ${mark(v.met)} |`),
    ...reports.filter((r) => r.skipped !== null).map((r) => `| ${r.spec.id} | ${r.spec.title} | – | – | skipped: ${r.skipped} |`),
    "",
    ...sections,
    "## Python Apache Libcloud as a peer",
    "",
    info.python === null
      ? `**Skipped:** ${info.pythonSkipped ?? ""}. Cases a–d then run without their Python column.`
      : `${info.python}, run with /usr/bin/python3 as one more client process in cases a–d, over HTTP and HTTPS in case b (its rows and ratios are in each case above; the client is bench/python/client.py). Not in case e: libcloud 3.4.1's S3 driver cannot read s3rver's listing and multipart answers (they use another XML namespace or none).`,
    "",
  ];
  if (notes.trim() !== "") out.push(notes.trim(), "");
  return { markdown: out.join("\n"), charts };
}
