/**
 * The openai policy's `prompts` param: template files that replace some or all of the built-in
 * ones (templates.ts). As written it is a directory (`<name>.md` for each template it replaces)
 * or a map of template name to file. Where a spec is set (`retrace policy set`, `--policy`,
 * `--llm`, a config file) the files are read and the spec stored with their text instead:
 * `{ <name>: { file, sha256, text } }`. Specs travel over KV to agents on other machines, so an
 * agent needs no copy of the files, and a changed file is a changed spec: a new revision.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { PolicySpec } from '../policy.ts';
import { PolicyConfigError } from './errors.ts';
import { compileTemplates, isTemplateName, TEMPLATE_NAMES, textSha256, type TemplateText } from './templates.ts';

/** `prompts` as a spec holds it: a directory, or a template name -> a file or the text read from one. */
export type PromptsParam = string | Readonly<Record<string, string | TemplateText>>;

function readTemplate(file: string, base: string): TemplateText {
  let text: string;
  try {
    text = readFileSync(resolve(base, file), 'utf8');
  } catch (err) {
    throw new PolicyConfigError(`prompts: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  return { file, sha256: textSha256(text), text };
}

/** `<dir>/<name>.md` for each template the directory holds; any other `.md` file is a mistake. */
function readTemplateDir(dir: string, base: string): Record<string, TemplateText> {
  const at = resolve(base, dir);
  let entries: string[];
  try {
    if (!statSync(at).isDirectory()) throw new PolicyConfigError(`prompts: ${dir} is not a directory (give a directory of <name>.md files, or a map of name to file)`);
    entries = readdirSync(at).filter((e) => e.endsWith('.md')).sort();
  } catch (err) {
    if (err instanceof PolicyConfigError) throw err;
    throw new PolicyConfigError(`prompts: cannot read the directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  const texts: Record<string, TemplateText> = {};
  for (const entry of entries) {
    const name = basename(entry, '.md');
    if (!isTemplateName(name)) throw new PolicyConfigError(`prompts: ${join(dir, entry)} names no template (files are <name>.md, the names: ${TEMPLATE_NAMES.join(', ')})`);
    texts[name] = readTemplate(join(dir, entry), base);
  }
  if (entries.length === 0) throw new PolicyConfigError(`prompts: ${dir} holds no template (<name>.md; the names: ${TEMPLATE_NAMES.join(', ')})`);
  return texts;
}

/** A text already read: its `sha256` must be its text's, so that the spec's fingerprint is true. */
function checkedText(name: string, t: TemplateText): TemplateText {
  const sha256 = textSha256(t.text);
  if (t.sha256 !== undefined && t.sha256 !== sha256) {
    throw new PolicyConfigError(`prompts: the text of "${name}" (${t.file}) is not the one its sha256 names: set the policy again from the file`);
  }
  return { file: t.file, sha256, text: t.text };
}

/**
 * Every template `param` names, its text read (files relative to `base`), by template name.
 * Throws PolicyConfigError for an unknown name, a file that cannot be read, a mismatched hash.
 */
export function readPromptTexts(param: PromptsParam, base = process.cwd()): Record<string, TemplateText> {
  if (typeof param === 'string') return readTemplateDir(param, base);
  const texts: Record<string, TemplateText> = {};
  for (const [name, v] of Object.entries(param)) {
    if (!isTemplateName(name)) throw new PolicyConfigError(`prompts: unknown template "${name}" (known: ${TEMPLATE_NAMES.join(', ')})`);
    texts[name] = typeof v === 'string' ? readTemplate(v, base) : checkedText(name, v);
  }
  return texts;
}

/**
 * `spec` with its `prompts` read and checked: the text of each template in the spec, so that it
 * can be stored and sent. A spec without `prompts`, or of another policy, is returned as it is.
 */
export function withPromptTexts(spec: PolicySpec, base = process.cwd()): PolicySpec {
  const param = spec.params?.prompts as PromptsParam | undefined;
  if (param === undefined || (typeof param !== 'string' && (typeof param !== 'object' || param === null))) return spec;
  const texts = readPromptTexts(param, base);
  compileTemplates(texts);
  return { ...spec, params: { ...spec.params, prompts: texts } };
}
