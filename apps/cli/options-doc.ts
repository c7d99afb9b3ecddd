// docs/OPTIONS.md, written from the table of fields (src/config/fields.ts) and the presets: one row
// per option with its flag, default, kind and help line (the same line as train.ts --help), then
// the options without a flag, then the presets. scripts/make-options-doc.ts writes the file; a
// test checks that the file in the repository is what this function writes.
import { fieldRows, type Field } from '../../src/config/fields.ts';
import { PRESETS } from '../../src/config/presets.ts';

const KIND_ABOUT: Record<Field<unknown>['kind'], string> = {
  model: 'what the network computes; stored with a saved model',
  training: 'how the weights are learnt; stored with a saved model, compared on --resume',
  data: 'which images the run sees; stored with a saved model',
  runtime: 'how the machine runs it; a field that changes the bits is stored (backend), the others are not',
  output: 'what the run writes; never stored',
};

const cell = (s: string): string => s.replace(/\|/g, '\\|');
const shownDefault = (f: Field<unknown>): string =>
  f.shown ?? (f.default === null ? 'none' : Array.isArray(f.default) ? f.default.join(',') : String(f.default));

/** The whole of docs/OPTIONS.md. */
export function optionsMarkdown(): string {
  const rows = fieldRows();
  const flagged = rows.filter(([, f]) => f.flag !== null);
  const unflagged = rows.filter(([, f]) => f.flag === null);
  const flagCell = (f: Field<unknown>): string => `\`--${f.flag}${f.value ? ` ${f.value}` : ''}\``;
  return [
    '# Options of train.ts',
    '',
    'Every option of a run, one row each, in the order of the table of fields (`src/config/fields.ts`), from which this page,',
    '`npx tsx scripts/train.ts --help`, the saved model\'s stored config, the checkpoint\'s comparison and the playground\'s',
    '"more flags" box are all derived. This page is written by `npx tsx scripts/make-options-doc.ts`; a test checks that it is current.',
    'A preset (`--preset NAME`) applies first, then every flag given.',
    '',
    '- [Flags](#flags)',
    '- [Options without a flag](#options-without-a-flag)',
    '- [Kinds](#kinds)',
    '- [Presets](#presets)',
    '',
    '## Flags',
    '',
    '| flag | default | kind | what it does |',
    '|---|---|---|---|',
    '| `--help` | | | print this help and exit |',
    ...flagged.map(([, f]) => `| ${flagCell(f)} | ${cell(f.value === undefined ? 'off' : shownDefault(f))} | ${f.kind} | ${cell(f.help)} |`),
    '',
    '## Options without a flag',
    '',
    'Set by presets, and stored with a model like the others.',
    '',
    '| field | default | kind | what it is |',
    '|---|---|---|---|',
    ...unflagged.map(([name, f]) => `| \`${name}\` | ${cell(shownDefault(f))} | ${f.kind} | ${cell(f.help)} |`),
    '',
    '## Kinds',
    '',
    ...Object.entries(KIND_ABOUT).map(([k, about]) => `- **${k}**: ${about}.`),
    '',
    'Options added after the first model files (' + rows.filter(([, f]) => f.later).map(([, f]) => `\`--${f.flag}\``).join(', ') +
      ') are stored only when they are not their default, so older files read back with the default.',
    '',
    '## Presets',
    '',
    '| preset | mode | what it is |',
    '|---|---|---|',
    ...Object.entries(PRESETS).map(([name, p]) => `| \`${name}\` | ${p.mode} | ${cell(p.about)} |`),
    '',
  ].join('\n');
}
