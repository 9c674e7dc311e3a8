/**
 * The dataset card's plots: histograms as self-contained SVG (axes, ticks, labels, title), drawn
 * the way bench/search/plot.ts draws its line plot. Coordinates are rounded to one decimal, so the
 * same values give the same bytes.
 *
 * Invariant: every value falls in exactly one bin, so the bins' counts sum to the values' count.
 */

export interface Bin {
  /** [lo, hi): the last bin also holds its `hi`. */
  lo: number;
  hi: number;
  count: number;
}

export interface HistogramOptions {
  title: string;
  xLabel: string;
  /** Log-spaced bins and a log axis. */
  log: boolean;
}

const WIDTH = 640;
const HEIGHT = 400;
const MARGIN = { l: 70, r: 30, t: 40, b: 60 };
const MAX_BINS = 30;
const BAR_COLOR = '#1f77b4';
/** A range this wide (max / min) is drawn on a log axis. */
const LOG_RANGE = 100;

/** Whether values spread over orders of magnitude: all positive and max / min at least LOG_RANGE. */
export function wantsLogBins(values: readonly number[]): boolean {
  if (values.length === 0) return false;
  const { min, max } = extent(values);
  return min > 0 && max / min >= LOG_RANGE;
}

/** Sturges' rule, at most MAX_BINS. */
function binCount(n: number): number {
  return Math.min(MAX_BINS, Math.max(1, Math.ceil(Math.log2(Math.max(1, n))) + 1));
}

function extent(values: readonly number[]): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** Equal-width bins over the values (over their log10 when `log`); none for no values. */
export function histogramBins(values: readonly number[], log: boolean): Bin[] {
  if (values.length === 0) return [];
  const scale = log ? Math.log10 : (v: number) => v;
  const unscale = log ? (v: number) => 10 ** v : (v: number) => v;
  const scaled = values.map(scale);
  let { min, max } = extent(scaled);
  if (min === max) {
    min -= 0.5;
    max += 0.5;
  }
  const k = binCount(values.length);
  const width = (max - min) / k;
  const bins: Bin[] = Array.from({ length: k }, (_, i) => ({ lo: unscale(min + i * width), hi: unscale(min + (i + 1) * width), count: 0 }));
  for (const v of scaled) bins[Math.min(k - 1, Math.floor((v - min) / width))]!.count++;
  return bins;
}

/** A 1-2-5 step giving about `target` ticks over `span`. */
function niceStep(span: number, target: number): number {
  const raw = span / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].find((m) => m * power >= raw)! * power;
  return step;
}

function linearTicks(lo: number, hi: number, target = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step = niceStep(hi - lo, target);
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** Integer ticks from 0 up to the first tick at or above `top`. */
function countAxis(top: number): { ticks: number[]; max: number } {
  const step = Math.max(1, niceStep(top, 5));
  const max = Math.ceil(top / step) * step;
  return { ticks: Array.from({ length: max / step + 1 }, (_, i) => i * step), max };
}

function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let p = Math.ceil(Math.log10(lo) - 1e-9); 10 ** p <= hi * (1 + 1e-9); p++) ticks.push(10 ** p);
  return ticks.length > 0 ? ticks : [lo, hi];
}

/** Three significant digits, with k/M/G for large magnitudes. */
export function formatTick(v: number): string {
  const a = Math.abs(v);
  for (const [unit, size] of [['G', 1e9], ['M', 1e6], ['k', 1e3]] as const) if (a >= size) return `${Number((v / size).toPrecision(3))}${unit}`;
  return String(Number(v.toPrecision(3)));
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const r1 = (v: number) => v.toFixed(1);

function frame(opts: HistogramOptions, yLabel: string): string[] {
  const { l, r, t, b } = MARGIN;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(opts.title)}</text>`,
    `<line x1="${l}" y1="${HEIGHT - b}" x2="${WIDTH - r}" y2="${HEIGHT - b}" stroke="black"/>`,
    `<line x1="${l}" y1="${t}" x2="${l}" y2="${HEIGHT - b}" stroke="black"/>`,
    `<text x="${(l + WIDTH - r) / 2}" y="${HEIGHT - 14}" text-anchor="middle">${escapeXml(opts.xLabel)}</text>`,
    `<text transform="translate(18 ${(t + HEIGHT - b) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
  ];
}

/** A histogram of `bins`; with no bins, the empty axes and a "no data" note. */
export function histogramSvg(bins: readonly Bin[], opts: HistogramOptions): string {
  const out = frame(opts, 'count');
  const { l, r, t, b } = MARGIN;
  if (bins.length === 0) {
    out.push(`<text x="${(l + WIDTH - r) / 2}" y="${(t + HEIGHT - b) / 2}" text-anchor="middle" fill="#666">no data</text>`, '</svg>');
    return out.join('\n') + '\n';
  }
  const scale = opts.log ? Math.log10 : (v: number) => v;
  const x0 = scale(bins[0]!.lo);
  const x1 = scale(bins[bins.length - 1]!.hi);
  const px = (v: number) => l + ((scale(v) - x0) / (x1 - x0)) * (WIDTH - l - r);
  const { ticks: yTicks, max: yMax } = countAxis(Math.max(1, ...bins.map((bin) => bin.count)));
  const py = (c: number) => HEIGHT - b - (c / yMax) * (HEIGHT - t - b);
  for (const v of yTicks) {
    out.push(`<line x1="${l - 5}" y1="${r1(py(v))}" x2="${WIDTH - r}" y2="${r1(py(v))}" stroke="#ddd"/>`);
    out.push(`<text x="${l - 8}" y="${r1(py(v) + 4)}" text-anchor="end">${formatTick(v)}</text>`);
  }
  for (const bin of bins) {
    const x = px(bin.lo);
    const w = Math.max(0, px(bin.hi) - x - 1);
    const label = `${formatTick(bin.lo)} to ${formatTick(bin.hi)}: ${bin.count}`;
    out.push(`<rect class="bar" data-count="${bin.count}" x="${r1(x)}" y="${r1(py(bin.count))}" width="${r1(w)}" height="${r1(py(0) - py(bin.count))}" fill="${BAR_COLOR}"><title>${escapeXml(label)}</title></rect>`);
  }
  const lo = bins[0]!.lo;
  const hi = bins[bins.length - 1]!.hi;
  for (const v of opts.log ? logTicks(lo, hi) : linearTicks(lo, hi)) {
    if (v < lo - 1e-12 || v > hi + 1e-12) continue;
    out.push(`<line x1="${r1(px(v))}" y1="${HEIGHT - b}" x2="${r1(px(v))}" y2="${HEIGHT - b + 5}" stroke="black"/>`);
    out.push(`<text x="${r1(px(v))}" y="${HEIGHT - b + 18}" text-anchor="middle">${formatTick(v)}</text>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
