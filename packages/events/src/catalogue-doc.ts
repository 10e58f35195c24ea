import type { TSchema } from '@sinclair/typebox';
import { EventCatalogue, EventTypes } from './catalogue.ts';
import { ReportKinds, reportSchemas } from './reports.ts';
import { allTopics, deadLetterTopic } from './topics.ts';
import type { PersonalDataKind } from './vocabulary.ts';

/** A compact, readable outline of a JSON Schema: `field: type (required)` lines, nested. */
function outline(schema: TSchema, indent = ''): string[] {
  const s = schema as Record<string, unknown>;
  if (s.type === 'object' && s.properties) {
    const required = new Set((s.required as string[] | undefined) ?? []);
    return Object.entries(s.properties as Record<string, TSchema>).flatMap(([name, prop]) => {
      const p = prop as Record<string, unknown>;
      const head = `${indent}- \`${name}\`${required.has(name) ? '' : ' (optional)'}: ${describe(p)}`;
      const nested =
        p.type === 'object'
          ? outline(prop, `${indent}  `)
          : p.type === 'array' && (p.items as Record<string, unknown>)?.type === 'object'
            ? outline(p.items as TSchema, `${indent}  `)
            : [];
      return [head, ...nested];
    });
  }
  if (
    Array.isArray(s.anyOf) &&
    (s.anyOf as Array<Record<string, unknown>>).every((b) => b.type === 'object')
  ) {
    return (s.anyOf as TSchema[]).flatMap((b) => [
      `${indent}- one of: ${(b as { title?: string }).title ?? 'object'}`,
      ...outline(b, `${indent}  `),
    ]);
  }
  return [`${indent}- ${describe(s)}`];
}

function describe(p: Record<string, unknown>): string {
  if (Array.isArray(p.anyOf)) {
    const branches = p.anyOf as Array<Record<string, unknown>>;
    if (branches.every((b) => 'const' in b))
      return branches.map((b) => `\`${JSON.stringify(b.const)}\``).join(' \\| ');
    return branches.map(describe).join(' or ');
  }
  if ('const' in p) return `\`${JSON.stringify(p.const)}\``;
  const bits = [String(p.type ?? 'any')];
  if (p.format) bits.push(String(p.format));
  if (p.pattern) bits.push(`pattern \`${p.pattern}\``);
  if (p.minimum !== undefined || p.maximum !== undefined) bits.push(`${p.minimum ?? ''}..${p.maximum ?? ''}`);
  if (p.type === 'array') bits.push(`of ${describe((p.items ?? {}) as Record<string, unknown>)}`);
  if (p.description) bits.push(`— ${p.description}`);
  return bits.join(', ');
}

/** The event catalogue as Markdown, generated from the schemas so it is never written twice. */
export function renderCatalogue(): string {
  const lines = [
    '# Homeward event catalogue',
    '',
    'Generated from `packages/events/src` by `npm run catalogue` (a test fails when it is stale). Do not edit by hand.',
    '',
    '## Topics',
    '',
    '| topic | dead letters | event types |',
    '| --- | --- | --- |',
    ...allTopics.map(
      (t) =>
        `| \`${t}\` | \`${deadLetterTopic(t)}\` | ${EventTypes.filter((e) => EventCatalogue[e].topic === t)
          .map((e) => `\`${e}\``)
          .join(', ')} |`,
    ),
    '',
    '## Event types',
    '',
  ];
  for (const type of EventTypes) {
    const def = EventCatalogue[type];
    lines.push(`### \`${type}\``, '', `${def.description}`, '', `Topic \`${def.topic}\`.`, '');
    const personal = Object.entries(
      (def as { personalData?: Partial<Record<PersonalDataKind, string>> }).personalData ?? {},
    );
    if (personal.length === 0) lines.push('Personal data: none.', '');
    else
      lines.push(
        'Personal data it may carry, and why:',
        '',
        ...personal.map(([k, why]) => `- \`${k}\`: ${why}`),
        '',
      );
    if (type === 'homeward.report.submitted') lines.push('The data is one of the report kinds below.', '');
    else lines.push(...outline(def.data as TSchema), '');
  }
  lines.push('## Report kinds (`data` of `homeward.report.submitted`)', '');
  for (const kind of ReportKinds) {
    lines.push(`### \`${kind}\``, '', ...outline(reportSchemas[kind] as TSchema), '');
  }
  return `${lines.join('\n')}\n`;
}
