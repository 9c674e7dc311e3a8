/** A small SVG line plot: mean reward against budget (log scale), one line per method, 95% CI bars. */

export interface Series {
  name: string;
  /** One point per budget: mean and CI half-width. */
  points: { budget: number; mean: number; ci: number }[];
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2'];

export function rewardPlot(series: readonly Series[], title: string): string {
  const W = 640;
  const H = 400;
  const m = { l: 70, r: 170, t: 40, b: 50 };
  const budgets = [...new Set(series.flatMap((s) => s.points.map((p) => p.budget)))].sort((a, b) => a - b);
  const lo = Math.min(...series.flatMap((s) => s.points.map((p) => p.mean - p.ci)));
  const hi = Math.max(...series.flatMap((s) => s.points.map((p) => p.mean + p.ci)));
  const pad = (hi - lo) * 0.05 || 0.01;
  const y0 = lo - pad;
  const y1 = hi + pad;
  const lx = (b: number): number => m.l + ((Math.log2(b) - Math.log2(budgets[0]!)) / Math.max(1e-9, Math.log2(budgets[budgets.length - 1]!) - Math.log2(budgets[0]!))) * (W - m.l - m.r);
  const ly = (v: number): number => H - m.b - ((v - y0) / (y1 - y0)) * (H - m.t - m.b);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2 - m.r / 2 + m.l / 2}" y="22" text-anchor="middle" font-size="14">${escape(title)}</text>`);
  out.push(`<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="black"/>`);
  out.push(`<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="black"/>`);
  for (const b of budgets) {
    out.push(`<line x1="${lx(b)}" y1="${H - m.b}" x2="${lx(b)}" y2="${H - m.b + 5}" stroke="black"/>`);
    out.push(`<text x="${lx(b)}" y="${H - m.b + 18}" text-anchor="middle">${b}</text>`);
  }
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 12}" text-anchor="middle">budget (scorer calls, log scale)</text>`);
  for (let i = 0; i <= 5; i++) {
    const v = y0 + ((y1 - y0) * i) / 5;
    out.push(`<line x1="${m.l - 5}" y1="${ly(v)}" x2="${W - m.r}" y2="${ly(v)}" stroke="#ddd"/>`);
    out.push(`<text x="${m.l - 8}" y="${ly(v) + 4}" text-anchor="end">${v.toFixed(3)}</text>`);
  }
  out.push(`<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">mean reward (nats/token)</text>`);
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length]!;
    const pts = s.points.map((p) => `${lx(p.budget).toFixed(1)},${ly(p.mean).toFixed(1)}`).join(' ');
    out.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts}"/>`);
    for (const p of s.points) {
      const x = lx(p.budget) + (i - series.length / 2) * 2;
      out.push(`<line x1="${x.toFixed(1)}" y1="${ly(p.mean - p.ci).toFixed(1)}" x2="${x.toFixed(1)}" y2="${ly(p.mean + p.ci).toFixed(1)}" stroke="${c}" stroke-opacity="0.6"/>`);
      out.push(`<circle cx="${lx(p.budget).toFixed(1)}" cy="${ly(p.mean).toFixed(1)}" r="3" fill="${c}"/>`);
    }
    out.push(`<line x1="${W - m.r + 12}" y1="${m.t + 10 + i * 20}" x2="${W - m.r + 32}" y2="${m.t + 10 + i * 20}" stroke="${c}" stroke-width="2"/>`);
    out.push(`<text x="${W - m.r + 38}" y="${m.t + 14 + i * 20}">${escape(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
