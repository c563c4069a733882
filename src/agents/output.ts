/**
 * Structured output: an agent's zod `outputType` as the strict JSON schema both OpenAI APIs take, and
 * the check of what the model answered against the zod schema itself.
 */
import { z } from 'zod';
import { describeIssues } from '../shared/schemas';
import type { RunnableOutput } from './runnable';

/** The runnable form of a zod output type. */
export function runnableOutput(agentName: string, outputType: z.ZodType): RunnableOutput {
  let schema: Record<string, unknown>;
  try {
    const { $schema: _ignored, ...json } = z.toJSONSchema(outputType) as Record<string, unknown>;
    schema = strictSchema(json);
  } catch (error) {
    throw new Error(`the outputType of the agent "${agentName}" cannot be sent as a JSON schema: ${(error as Error).message}`, { cause: error });
  }
  if (schema.type !== 'object') {
    throw new Error(`the outputType of the agent "${agentName}" must be an object schema (z.object({ ... })): structured output takes an object at the top`);
  }
  return {
    schema,
    check(value) {
      const parsed = outputType.safeParse(value);
      if (parsed.success) return { value: parsed.data };
      // Strict mode makes optional properties required and nullable: an optional one the model set to null is absent.
      const withoutNulls = outputType.safeParse(nullPropertiesRemoved(value));
      if (withoutNulls.success) return { value: withoutNulls.data };
      return { problem: describeIssues(parsed.error) };
    },
  };
}

/**
 * A JSON schema in the form strict structured output requires: every object lists all its properties
 * as required and allows no others; a property that was optional may be null instead.
 */
export function strictSchema(node: unknown): Record<string, unknown> {
  return strictNode(node) as Record<string, unknown>;
}

function strictNode(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictNode);
  if (node === null || typeof node !== 'object') return node;
  const schema: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) schema[key] = strictNode(value);
  const properties = schema.properties;
  if (schema.type === 'object' && properties && typeof properties === 'object') {
    const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
    const props = properties as Record<string, unknown>;
    for (const key of Object.keys(props)) {
      if (!required.has(key)) props[key] = { anyOf: [props[key], { type: 'null' }] };
    }
    schema.required = Object.keys(props);
    schema.additionalProperties = false;
  }
  return schema;
}

function nullPropertiesRemoved(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(nullPropertiesRemoved);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, entry]) => entry !== null)
      .map(([key, entry]) => [key, nullPropertiesRemoved(entry)]),
  );
}
