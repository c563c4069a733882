/** The type spans and metrics name a failure by: a Temporal failure's `type`, else the error's class name; never its message. */
export function errorTypeOf(error: unknown): string {
  const type = (error as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && type.length > 0) return type;
  return error instanceof Error ? error.name : 'Error';
}
