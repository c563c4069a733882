/**
 * A deterministic value satisfying a JSON Schema, for structured output (Responses `text.format` and Chat
 * `response_format` of type `json_schema`): strings are `sample` (cut or padded to the length limits; a few formats
 * get a fixed valid value), numbers 1 (moved into their bounds), booleans true, arrays one element (or `minItems`),
 * enums and consts their first value, objects every required property (all properties when none is listed), unions
 * their first non-null branch, `$ref`s into `$defs`/`definitions` followed.
 */
export function valueForSchema(schema: unknown, sample: string): unknown {
  return generate(schema, asRecord(schema), sample, 0);
}

const MAX_DEPTH = 12;

const FORMAT_VALUES: Record<string, string> = {
  'date-time': '2024-01-01T00:00:00Z',
  date: '2024-01-01',
  time: '00:00:00Z',
  email: 'offline@example.com',
  uri: 'https://example.com/',
  url: 'https://example.com/',
  hostname: 'example.com',
  ipv4: '127.0.0.1',
  ipv6: '::1',
  uuid: '00000000-0000-4000-8000-000000000000',
  duration: 'P1D',
};

function generate(node: unknown, root: Record<string, unknown>, sample: string, depth: number): unknown {
  const schema = asRecord(node);
  if (depth > MAX_DEPTH) return null;
  if (typeof schema.$ref === 'string') return generate(resolveRef(schema.$ref, root), root, sample, depth + 1);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches) && branches.length > 0) {
      const branch = branches.find((candidate) => asRecord(candidate).type !== 'null') ?? branches[0];
      return generate(branch, root, sample, depth + 1);
    }
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
    const merged = schema.allOf.reduce<Record<string, unknown>>((all, part) => mergeObjects(all, asRecord(part)), {});
    return generate(mergeObjects(merged, { ...schema, allOf: undefined }), root, sample, depth + 1);
  }
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const type = types.find((candidate) => candidate !== 'null') ?? types[0] ?? (schema.properties ? 'object' : undefined);
  switch (type) {
    case 'object':
      return objectValue(schema, root, sample, depth);
    case 'array':
      return arrayValue(schema, root, sample, depth);
    case 'string':
      return stringValue(schema, sample);
    case 'integer':
    case 'number':
      return numberValue(schema, type === 'integer');
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return sample;
  }
}

function objectValue(schema: Record<string, unknown>, root: Record<string, unknown>, sample: string, depth: number): Record<string, unknown> {
  const properties = asRecord(schema.properties);
  const required = Array.isArray(schema.required) ? schema.required.filter((name): name is string => typeof name === 'string') : Object.keys(properties);
  const value: Record<string, unknown> = {};
  for (const name of required) value[name] = generate(properties[name] ?? {}, root, sample, depth + 1);
  return value;
}

function arrayValue(schema: Record<string, unknown>, root: Record<string, unknown>, sample: string, depth: number): unknown[] {
  const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : [];
  const minItems = typeof schema.minItems === 'number' ? schema.minItems : 1;
  const maxItems = typeof schema.maxItems === 'number' ? schema.maxItems : Infinity;
  const count = Math.min(Math.max(minItems, 1, prefix.length), maxItems);
  return Array.from({ length: count }, (_, index) => generate(prefix[index] ?? schema.items ?? {}, root, sample, depth + 1));
}

function stringValue(schema: Record<string, unknown>, sample: string): string {
  const formatted = typeof schema.format === 'string' ? FORMAT_VALUES[schema.format] : undefined;
  let value = formatted ?? sample;
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  if (value.length > maxLength) value = [...value].slice(0, maxLength).join('');
  while (value.length < minLength) value += 'x';
  return value;
}

function numberValue(schema: Record<string, unknown>, integer: boolean): number {
  let value = 1;
  const step = integer ? 1 : 0.5;
  if (typeof schema.minimum === 'number' && value < schema.minimum) value = schema.minimum;
  if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) value = schema.exclusiveMinimum + step;
  if (typeof schema.maximum === 'number' && value > schema.maximum) value = schema.maximum;
  if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) value = schema.exclusiveMaximum - step;
  if (integer) value = Math.ceil(value);
  if (typeof schema.multipleOf === 'number' && schema.multipleOf > 0) value = Math.ceil(value / schema.multipleOf) * schema.multipleOf;
  return value;
}

function resolveRef(ref: string, root: Record<string, unknown>): unknown {
  if (!ref.startsWith('#')) return {};
  return ref
    .slice(1)
    .split('/')
    .filter(Boolean)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, segment) => asRecord(node)[segment], root);
}

function mergeObjects(left: Record<string, unknown>, right: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...left };
  for (const [key, value] of Object.entries(right)) {
    if (value === undefined) continue;
    if (key === 'properties') merged.properties = { ...asRecord(left.properties), ...asRecord(value) };
    else if (key === 'required' && Array.isArray(value)) merged.required = [...(Array.isArray(left.required) ? left.required : []), ...value];
    else merged[key] = value;
  }
  return merged;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
