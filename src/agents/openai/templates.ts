/**
 * The prompt templates: one Mustache file per task (`templates/<task>.md`: notes, then a
 * `--- system` part and a `--- user` part) and two partials every task shares (`rules`: the house
 * rules and the knowledge boundary; `facts`: the facts block). The built-in prompts are these
 * files; a policy's `prompts` param replaces some or all of them (prompt-files.ts).
 *
 * Mustache because the prompts need more than substitution (a sentence said only when a file is
 * written in pieces, the three cases of a review) and it is logic-less: a template can say what a
 * placeholder holds and nothing else, so every template can be checked against the placeholders
 * its task gives it before any is used. Nothing is HTML-escaped: the prompts are plain text.
 *
 * Invariants: a template names only its task's placeholders (and `.` inside a section); its user
 * message holds `{{facts}}` (directly or through a partial); partials include no partial. A
 * message is its part rendered, trailing newlines dropped. Any breach is a PolicyConfigError
 * naming the file and the line.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Mustache from 'mustache';
import type { ChatMessage } from './chat.ts';
import { PolicyConfigError } from './errors.ts';

/** The tasks a prompt can carry; the first line of every default user message is `Task: <kind>`. */
export const TASK_KINDS = ['plan', 'design', 'file-intent', 'review-checks', 'diagnose', 'test-intent', 'propose'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** Templates included by the tasks' templates (`{{> rules}}`), shared by every task. */
export const PARTIALS = ['rules', 'facts'] as const;
export type PartialName = (typeof PARTIALS)[number];

export type TemplateName = TaskKind | PartialName;
export const TEMPLATE_NAMES: readonly TemplateName[] = [...TASK_KINDS, ...PARTIALS];

/** Every template may say these: the task's kind, and its facts as a JSON block. */
const COMMON_PLACEHOLDERS = ['task', 'facts'] as const;

/** What each task's template may say besides the common placeholders. */
export const TASK_PLACEHOLDERS: Record<TaskKind, readonly string[]> = {
  plan: ['name'],
  design: ['path'],
  'file-intent': ['path', 'chunks', 'inPieces'],
  'review-checks': ['path', 'hasFindings', 'passed', 'onlyBaseline', 'hasBaseline'],
  diagnose: ['path'],
  'test-intent': ['path', 'subjects'],
  propose: ['k'],
};

/** A template's text and where it came from (for messages); `sha256` of the text once read. */
export interface TemplateText {
  file: string;
  text: string;
  sha256?: string;
}

interface Part {
  text: string;
  /** The file's line the part's text starts on (1-based). */
  line: number;
}

interface TaskTemplate {
  system: string;
  user: string;
}

/** Templates checked and ready to render: one per task, and the partials. */
export interface PromptTemplates {
  tasks: Record<TaskKind, TaskTemplate>;
  partials: Record<PartialName, string>;
}

export const DEFAULT_TEMPLATE_DIR = join(import.meta.dirname, 'templates');

export const templateFileName = (name: TemplateName): string => `${name}.md`;

export const isTemplateName = (name: string): name is TemplateName => (TEMPLATE_NAMES as readonly string[]).includes(name);

export const textSha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

let defaultTexts: Record<TemplateName, TemplateText> | undefined;

/** The built-in templates, read once from the package's `templates/` folder. */
export function defaultTemplateTexts(): Record<TemplateName, TemplateText> {
  if (!defaultTexts) {
    const texts = {} as Record<TemplateName, TemplateText>;
    for (const name of TEMPLATE_NAMES) {
      const file = join(DEFAULT_TEMPLATE_DIR, templateFileName(name));
      const text = readFileSync(file, 'utf8');
      texts[name] = { file, text, sha256: textSha256(text) };
    }
    defaultTexts = texts;
  }
  return defaultTexts;
}

let defaults: PromptTemplates | undefined;

/** The built-in templates, compiled once. */
export function defaultPromptTemplates(): PromptTemplates {
  defaults ??= compileTemplates({});
  return defaults;
}

/** The built-in templates with `overrides` in their place, every one checked (PolicyConfigError). */
export function compileTemplates(overrides: Readonly<Record<string, TemplateText>>): PromptTemplates {
  for (const name of Object.keys(overrides)) {
    if (!isTemplateName(name)) throw new PolicyConfigError(`prompts: unknown template "${name}" (known: ${TEMPLATE_NAMES.join(', ')})`);
  }
  const texts: Record<TemplateName, TemplateText> = { ...defaultTemplateTexts(), ...(overrides as Partial<Record<TemplateName, TemplateText>>) };
  const partials = {} as Record<PartialName, string>;
  const partialNames = new Map<string, Set<string>>();
  for (const name of PARTIALS) {
    const src = texts[name];
    partials[name] = src.text;
    partialNames.set(name, placeholdersOf(src, { text: src.text, line: 1 }, new Set(COMMON_PLACEHOLDERS), undefined));
  }
  if (!partialNames.get('facts')!.has('facts')) throw new PolicyConfigError(`${texts.facts.file}: the facts partial never says {{facts}} (the task's facts as JSON)`);
  const tasks = {} as Record<TaskKind, TaskTemplate>;
  for (const task of TASK_KINDS) tasks[task] = compileTask(task, texts[task], partialNames);
  return { tasks, partials };
}

function compileTask(task: TaskKind, src: TemplateText, partialNames: ReadonlyMap<string, ReadonlySet<string>>): TaskTemplate {
  const { system, user } = splitParts(src);
  const allowed = new Set<string>([...COMMON_PLACEHOLDERS, ...TASK_PLACEHOLDERS[task]]);
  placeholdersOf(src, system, allowed, partialNames);
  if (!placeholdersOf(src, user, allowed, partialNames).has('facts')) {
    throw new PolicyConfigError(`${src.file} line ${user.line - 1}: the user message never says {{facts}} (the task's facts as JSON): write {{facts}}, or {{> facts}} for the facts block`);
  }
  return { system: system.text, user: user.text };
}

const PART_MARKER = /^--- (\S+)\s*$/;

/**
 * A task template's two parts: the lines after `--- system` and after `--- user`. Lines above
 * the first marker are notes, never sent.
 */
function splitParts(src: TemplateText): { system: Part; user: Part } {
  const lines = src.text.split('\n');
  const parts = new Map<string, { from: number; to: number }>();
  let open: { name: string; from: number } | undefined;
  const close = (to: number) => {
    if (open) parts.set(open.name, { from: open.from, to });
  };
  lines.forEach((line, i) => {
    const m = PART_MARKER.exec(line);
    if (!m) return;
    const name = m[1]!;
    if (name !== 'system' && name !== 'user') throw new PolicyConfigError(`${src.file} line ${i + 1}: unknown part "--- ${name}" (a task template has "--- system" and "--- user")`);
    if (parts.has(name) || open?.name === name) throw new PolicyConfigError(`${src.file} line ${i + 1}: a second "--- ${name}" part`);
    if (name === 'system' && open) throw new PolicyConfigError(`${src.file} line ${i + 1}: "--- system" comes before "--- user"`);
    close(i);
    open = { name, from: i + 1 };
  });
  close(lines.length);
  const part = (name: 'system' | 'user'): Part => {
    const at = parts.get(name);
    if (!at) throw new PolicyConfigError(`${src.file}: no "--- ${name}" line (a task template is notes, then "--- system" and its text, then "--- user" and its text)`);
    return { text: lines.slice(at.from, at.to).join('\n'), line: at.from + 1 };
  };
  return { system: part('system'), user: part('user') };
}

/** A parsed Mustache token: [type, value, start, end, children?, ...]. */
type Token = [string, string, number, number, Token[]?, ...unknown[]];

/**
 * The placeholders `part` says, partials' included (`partialNames`; undefined inside a partial,
 * which may include none), each checked against `allowed`.
 */
function placeholdersOf(src: TemplateText, part: Part, allowed: ReadonlySet<string>, partialNames: ReadonlyMap<string, ReadonlySet<string>> | undefined): Set<string> {
  const lineAt = (offset: number) => part.line + countNewlines(part.text, offset);
  let tokens: Token[];
  try {
    tokens = Mustache.parse(part.text) as unknown as Token[];
  } catch (err) {
    const at = errorOffset(part.text, (err as Error).message);
    throw new PolicyConfigError(`${src.file}${at === undefined ? '' : ` line ${lineAt(at)}`}: ${(err as Error).message}`);
  }
  const used = new Set<string>();
  const visit = (list: readonly Token[], inSection: boolean) => {
    for (const [type, value, start, , children] of list) {
      if (type === '>') {
        if (!partialNames) throw new PolicyConfigError(`${src.file} line ${lineAt(start)}: a partial includes no other ({{> ${value}}})`);
        const names = partialNames.get(value);
        if (!names) throw new PolicyConfigError(`${src.file} line ${lineAt(start)}: unknown partial {{> ${value}}} (partials: ${PARTIALS.join(', ')})`);
        for (const n of names) used.add(n);
        continue;
      }
      if (type !== 'name' && type !== '&' && type !== '#' && type !== '^') continue;
      const head = value.split('.')[0]!;
      if (!(value === '.' && inSection) && !allowed.has(head)) {
        throw new PolicyConfigError(`${src.file} line ${lineAt(start)}: unknown placeholder {{${value}}} (here: ${[...allowed].join(', ')})`);
      }
      used.add(head);
      if (children) visit(children, inSection || type === '#');
    }
  };
  visit(tokens, false);
  return used;
}

/** Where Mustache's parse error points: the opening of a section left open, else the offset it names. */
function errorOffset(text: string, message: string): number | undefined {
  const unclosed = /^Unclosed section "([^"]+)"/.exec(message);
  const opening = unclosed ? text.search(new RegExp(`\\{\\{\\s*[#^]\\s*${unclosed[1]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\}\\}`)) : -1;
  if (opening >= 0) return opening;
  const at = /at (\d+)\s*$/.exec(message);
  return at ? Number(at[1]) : undefined;
}

function countNewlines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

const PLAIN_TEXT = { escape: (value: unknown) => String(value) };

/** The system and user messages of `task`, its view's values in place. */
export function renderPrompt(templates: PromptTemplates, task: TaskKind, view: Readonly<Record<string, unknown>>): ChatMessage[] {
  const t = templates.tasks[task];
  const full = { task, ...view };
  const render = (text: string) => Mustache.render(text, full, templates.partials, PLAIN_TEXT).replace(/\n+$/, '');
  return [
    { role: 'system', content: render(t.system) },
    { role: 'user', content: render(t.user) },
  ];
}
