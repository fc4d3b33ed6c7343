import type { LogEventDefinition } from '@switchyard/core';
import { EVENT_MEANINGS } from './meanings';

/** A table cell: one line, `|` escaped (unless it already is) so the row keeps its columns. */
export function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/(?<!\\)\|/g, '\\|');
}

/** Inline code that survives backticks in the text. */
function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

export function meaningOf(id: string): string {
  const meaning = EVENT_MEANINGS[id];
  if (meaning === undefined) throw new Error(`log event ${id} has no entry in tools/docs/src/meanings.ts: say there what it means and what to do`);
  return meaning;
}

/** The runbook's table: id and level and message template from the code, the meaning from meanings.ts. */
export function runbookTable(events: readonly LogEventDefinition[]): string {
  return table(['id', 'level', 'message', 'meaning and what to do'], events.map((e) => [e.id, e.level, code(e.message), meaningOf(e.id)]));
}

/** A plugin README's table. Its meanings carry no links: one relative to docs/operator/ would break there. */
export function eventTable(events: readonly LogEventDefinition[]): string {
  return table(['id', 'level', 'event'], events.map((e) => {
    const meaning = meaningOf(e.id);
    if (meaning.includes('](')) throw new Error(`the meaning of ${e.id} in tools/docs/src/meanings.ts has a link, but it also goes into a plugin README: write the page's name without a link`);
    return [e.id, e.level, meaning];
  }));
}

export function errorTable(codes: Readonly<Record<string, string>>): string {
  return table(['code', 'what to do'], Object.entries(codes).map(([c, remedy]) => [`\`${c}\``, remedy]));
}
