/**
 * The boundary figures on hand-written runs where each leak is known: a copy of more than 8 tokens
 * of the next write (in one step or split over two), a literal quoted, a local name stated, a name
 * that an earlier read made known, a design and a plan stating their files.
 */
import { describe, expect, it } from 'vitest';
import { computeStats } from '../../src/stats/mod.ts';
import { brief, dataset, design, plan, read, think, write } from './helpers.ts';

const TOTAL = `const TAX_RATE = 1.175;
function cartTotal(items) {
  let runningTotal = 0;
  for (const item of items) runningTotal += item.price * item.quantity;
  return runningTotal * TAX_RATE;
}
module.exports = { cartTotal, label: 'application/json' };
`;

const opening = [
  brief('A shopping cart library. Files: src/total.js, src/report.js'),
  plan('Write `src/total.js`: the total of a cart.'),
  design('src/total.js', 'src/total.js: the total of a cart.\nInterface:\n- function `cartTotal`'),
];

async function segmentsOf(...thinks: string[]) {
  const steps = [...opening, ...thinks.map((t) => think('coder', 'src/total.js', t)), write('src/total.js', TOTAL)];
  return (await computeStats([await dataset(steps)])).total.boundary.segments;
}

describe('segments: the reasoning before a write against the write and the rest of its file', () => {
  it('counts a copy of 9 tokens of the answer as a leak, and one of 8 only at the guard\'s n-gram', async () => {
    const nine = await segmentsOf('Per item it adds `+= item.price * item.quantity;` to the sum.');
    expect(nine).toMatchObject({ checked: 1, copyLeaks: 1 });
    expect(nine.examples.copy[0]!.detail).toMatch(/^9 tokens: \+= item \. price \* item \. quantity ;$/);
    const eight = await segmentsOf('Per item it adds `item.price * item.quantity;` to the sum.');
    expect(eight).toMatchObject({ checked: 1, copyLeaks: 0, ngramCopies: 1 });
  });

  it('counts a copy split over two steps as one leak', async () => {
    const split = await segmentsOf('Per item it adds `+= item.price`', '`* item.quantity;` to the sum.');
    expect(split.copyLeaks).toBe(1);
    expect(split.examples.copy[0]!.detail).toContain('9 tokens');
  });

  it('counts a quoted string literal and a number literal of the answer', async () => {
    const s = await segmentsOf("Its label is 'application/json'.", 'The tax multiplies by 1.175 at the end.');
    expect(s.literalLeaks).toBe(2);
    expect(s.examples.literal.map((e) => e.detail).sort()).toEqual(['1.175', 'application/json']);
    expect(s.copyLeaks + s.nameViolations).toBe(0);
  });

  it('counts a local name stated in backticks, not the declared one', async () => {
    const s = await segmentsOf('It keeps `runningTotal` and returns `cartTotal` of the items.');
    expect(s.nameViolations).toBe(1);
    expect(s.examples.name).toEqual([{ step: 3, path: 'src/total.js', detail: 'runningTotal' }]);
  });

  it('a clean segment has no leak', async () => {
    expect(await segmentsOf('The total of a cart, with tax.')).toMatchObject({ checked: 1, copyLeaks: 0, ngramCopies: 0, literalLeaks: 0, nameViolations: 0 });
  });

  it('allows a name an earlier read made known, and only then', async () => {
    const report = `const { formatMoney } = require('./format.js');\nexports.report = (t) => formatMoney(t);\n`;
    const withRead = [
      ...opening,
      write('src/total.js', TOTAL),
      ...read('src/format.js', 'src/format.js: formats money.\nInterface:\n- function `formatMoney`', { source: 'design' }),
      think('coder', 'src/report.js', 'It calls `formatMoney` on the total.'),
      write('src/report.js', report),
    ];
    const withoutRead = withRead.filter((s) => s.tool !== 'read');
    expect((await computeStats([await dataset(withRead)])).total.boundary.segments.nameViolations).toBe(0);
    expect((await computeStats([await dataset(withoutRead)])).total.boundary.segments.nameViolations).toBe(1);
  });
});

describe('designs and the plan, on their own', () => {
  it("a design may state its file's definitions, not its locals", async () => {
    const steps = [...opening.slice(0, 2), design('src/total.js', 'src/total.js: `cartTotal` sums `runningTotal` over the items.'), write('src/total.js', TOTAL)];
    const d = (await computeStats([await dataset(steps)])).total.boundary.designs;
    expect(d).toMatchObject({ checked: 1, nameViolations: 1 });
    expect(d.examples.name[0]!.detail).toBe('runningTotal');
  });

  it("a plan quoting a file's literal leaks, unless the brief holds it", async () => {
    const quoting = plan("Write `src/total.js`; it labels its output 'application/json'.");
    const p = (await computeStats([await dataset([opening[0]!, quoting, write('src/total.js', TOTAL)])])).total.boundary.plan;
    expect(p).toMatchObject({ checked: 1, literalLeaks: 1, copyLeaks: 0 });
    const briefed = brief("A cart library answering 'application/json'.");
    expect((await computeStats([await dataset([briefed, quoting, write('src/total.js', TOTAL)])])).total.boundary.plan.literalLeaks).toBe(0);
  });

  it('a plan copying a line of a file leaks', async () => {
    const copying = plan('`src/total.js` ends with `return runningTotal * TAX_RATE;\n}`, then exports.');
    const p = (await computeStats([await dataset([opening[0]!, copying, write('src/total.js', TOTAL)])])).total.boundary.plan;
    expect(p.copyLeaks).toBe(0);
    const longer = plan('`src/total.js` ends with `runningTotal += item.price * item.quantity;\n  return runningTotal * TAX_RATE;`.');
    const q = (await computeStats([await dataset([opening[0]!, longer, write('src/total.js', TOTAL)])])).total.boundary.plan;
    expect(q.copyLeaks).toBe(1);
    expect(q.examples.copy[0]).toMatchObject({ step: 1, path: 'src/total.js' });
  });
});
