import type { TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import { EventCatalogue, type EventType, isEventType } from './catalogue.ts';
import { type CloudEvent, CONTEXT_ATTRIBUTES, EXTENSION_NAME } from './envelope.ts';
import { ReportKinds, reportSchemas } from './reports.ts';

/** One thing wrong with an input: where (a JSON Pointer into it) and why. */
export interface FieldError {
  field: string;
  message: string;
}

// ajv-formats is CommonJS; under NodeNext its function arrives as the default of the namespace.
const addFormats = ajvFormats.default as unknown as (ajv: Ajv) => Ajv;

/** One Ajv for the catalogue, the same engine Fastify validates HTTP input with. */
export function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false });
  addFormats(ajv);
  return ajv;
}

const ajv = createAjv();
const compiled = new Map<TSchema, ValidateFunction>();

function validatorFor(schema: TSchema): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

/** Turns Ajv's errors into field errors a sender can act on. */
export function toFieldErrors(errors: ErrorObject[] | null | undefined, prefix = ''): FieldError[] {
  if (!errors) return [];
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    let field = `${prefix}${e.instancePath}`;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      field = `${field}/${(e.params as { missingProperty: string }).missingProperty}`;
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      field = `${field}/${(e.params as { additionalProperty: string }).additionalProperty}`;
      message = 'is not a known property';
    } else if (e.keyword === 'const' || e.keyword === 'enum') {
      const allowed = (e.params as { allowedValue?: unknown; allowedValues?: unknown[] }).allowedValues ?? [
        (e.params as { allowedValue?: unknown }).allowedValue,
      ];
      message = `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
    } else if (e.keyword === 'anyOf') {
      // A union of literals reports each branch; say once what is allowed instead.
      continue;
    }
    const key = `${field}|${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ field: field || '/', message });
    }
  }
  // For a literal union, the branches' const errors are merged into one message per field.
  return mergeLiteralErrors(out);
}

function mergeLiteralErrors(errors: FieldError[]): FieldError[] {
  const byField = new Map<string, FieldError>();
  const out: FieldError[] = [];
  for (const e of errors) {
    const prev = byField.get(e.field);
    if (prev?.message.startsWith('must be one of ') && e.message.startsWith('must be one of ')) {
      prev.message = `${prev.message}, ${e.message.slice('must be one of '.length)}`;
      continue;
    }
    byField.set(e.field, e);
    out.push(e);
  }
  return out;
}

/** Validates a value against a TypeBox schema, with field errors under `prefix`. */
export function validateSchema(schema: TSchema, value: unknown, prefix = ''): FieldError[] {
  const fn = validatorFor(schema);
  return fn(value) ? [] : toFieldErrors(fn.errors, prefix);
}

/**
 * Validates the CloudEvents context attributes (not the data). Takes anything a sender may
 * have put where an event belongs (a batch item can be `null`, a number, an array) and answers
 * with field errors, never by throwing.
 */
export function validateEnvelope(input: unknown): FieldError[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [{ field: '/', message: 'must be a JSON object (a CloudEvent)' }];
  }
  const event = input as Record<string, unknown>;
  const errors: FieldError[] = [];
  const str = (name: string, required: boolean) => {
    const v = event[name];
    if (v === undefined) {
      if (required) errors.push({ field: `/${name}`, message: 'is required' });
    } else if (typeof v !== 'string' || v.length === 0) {
      errors.push({ field: `/${name}`, message: 'must be a non-empty string' });
    }
  };
  if (event.specversion !== '1.0') errors.push({ field: '/specversion', message: 'must be "1.0"' });
  str('id', true);
  str('source', true);
  str('type', true);
  str('subject', false);
  str('datacontenttype', false);
  str('dataschema', false);
  if (event.time !== undefined) {
    if (
      typeof event.time !== 'string' ||
      Number.isNaN(Date.parse(event.time)) ||
      !/^\d{4}-\d\d-\d\dT/.test(event.time)
    ) {
      errors.push({ field: '/time', message: 'must be an RFC 3339 date-time' });
    }
  }
  for (const key of Object.keys(event)) {
    if (key === 'data' || key === 'data_base64' || (CONTEXT_ATTRIBUTES as readonly string[]).includes(key))
      continue;
    if (!EXTENSION_NAME.test(key)) {
      errors.push({
        field: `/${key}`,
        message: 'is not a valid extension attribute name (lower-case a-z0-9, at most 20)',
      });
    }
  }
  return errors;
}

/**
 * Validates an event's data against its catalogue schema. Reports dispatch on `kind` first, so
 * an error names the field of that kind instead of every branch of the union.
 */
export function validateEventData(type: EventType, data: unknown): FieldError[] {
  if (type === 'homeward.report.submitted') return validateReportData(data);
  return validateSchema(EventCatalogue[type].data, data, '/data');
}

export function validateReportData(data: unknown): FieldError[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return [{ field: '/data', message: 'must be an object' }];
  }
  const kind = (data as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || !(ReportKinds as readonly string[]).includes(kind)) {
    return [
      { field: '/data/kind', message: `must be one of ${ReportKinds.map((k) => `"${k}"`).join(', ')}` },
    ];
  }
  return validateSchema(reportSchemas[kind as keyof typeof reportSchemas], data, '/data');
}

/** Validates a whole event: envelope, known type, data. */
export function validateEvent(event: CloudEvent): FieldError[] {
  const errors = validateEnvelope(event);
  if (errors.length > 0) return errors;
  if (!isEventType(event.type))
    return [{ field: '/type', message: `is not a known event type: "${event.type}"` }];
  return validateEventData(event.type, event.data);
}

/**
 * Keys that would be read as operators or paths by a document database (`$where`, `a.b`) or
 * that poison prototypes. Such input is refused before it is stored anywhere.
 */
export function findUnsafeKeys(value: unknown, path = ''): FieldError[] {
  const errors: FieldError[] = [];
  const walk = (v: unknown, p: string, depth: number) => {
    if (depth > 32) {
      errors.push({ field: p || '/', message: 'is nested too deeply' });
      return;
    }
    if (Array.isArray(v)) {
      for (const [i, item] of v.entries()) walk(item, `${p}/${i}`, depth + 1);
    } else if (v !== null && typeof v === 'object') {
      for (const key of Object.keys(v)) {
        const here = `${p}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
        if (key.startsWith('$')) errors.push({ field: here, message: 'keys must not start with "$"' });
        else if (key.includes('.')) errors.push({ field: here, message: 'keys must not contain "."' });
        else if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
          errors.push({ field: here, message: 'is a reserved key' });
        }
        walk((v as Record<string, unknown>)[key], here, depth + 1);
      }
    }
  };
  walk(value, path, 0);
  return errors;
}

export type { EventType };
export { ReportKinds };
