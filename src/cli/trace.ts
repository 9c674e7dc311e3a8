/**
 * `retrace trace <file>`: a recorded run (the JSON Lines file the recorder writes) as a text
 * timeline, a Mermaid sequence diagram, or one self-contained HTML page.
 *
 *   retrace trace run.trace.jsonl --format html --out run.html
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { buildModel, readTrace, renderHtml, renderMermaid, renderText } from '../trace/mod.ts';

const FORMATS = ['text', 'mermaid', 'html'] as const;
type Format = (typeof FORMATS)[number];

export async function renderTraceFile(file: string, format: Format): Promise<string> {
  const { header, records } = await readTrace(file);
  const model = buildModel(header, records);
  if (format === 'mermaid') return renderMermaid(model);
  if (format === 'html') return renderHtml(model);
  return renderText(model);
}

export function register(program: Command): void {
  program
    .command('trace')
    .description('show a recorded run: text timeline, Mermaid sequence diagram, or a self-contained HTML page')
    .argument('<file>', 'trace file written by the recorder (JSON Lines)')
    .option('-f, --format <format>', `one of ${FORMATS.join(', ')}`, 'text')
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .action(async (file: string, opts: { format: string; out?: string }) => {
      if (!(FORMATS as readonly string[]).includes(opts.format)) {
        throw new Error(`unknown format "${opts.format}": use one of ${FORMATS.join(', ')}`);
      }
      const output = await renderTraceFile(file, opts.format as Format);
      if (opts.out) {
        await writeFile(opts.out, output);
        process.stderr.write(`wrote ${opts.out}\n`);
      } else {
        process.stdout.write(output);
      }
    });
}
