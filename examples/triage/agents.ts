/**
 * A triage agent that hands the conversation to specialists, who hand it back when the request is not
 * theirs. The active agent stays across turns; every item records the agent that produced it.
 * Run: npx agent-sessions dev --agents examples/triage/agents.ts
 */
import { z } from 'zod';
import { defineAgent, defineTool } from 'agent-sessions/worker';

const INVOICES: Record<string, string> = { 'INV-1': '42.00 EUR, paid', 'INV-2': '17.50 EUR, due on the 30th' };

const lookupInvoice = defineTool({
  name: 'lookup_invoice',
  description: 'Looks up an invoice by its number.',
  parameters: z.object({ invoice_id: z.string().describe('e.g. INV-1') }),
  execute: ({ invoice_id }) => INVOICES[invoice_id] ?? `There is no invoice ${invoice_id}.`,
});

const checkStatusPage = defineTool({
  name: 'check_status_page',
  description: 'Reads the service status page.',
  parameters: z.object({}),
  execute: () => ({ api: 'operational', dashboard: 'degraded performance since 09:12 UTC' }),
});

export const billing = defineAgent({
  name: 'billing',
  instructions: 'You answer questions about invoices and payments. Hand anything else back to triage.',
  handoffDescription: 'Invoices, payments and refunds.',
  tools: [lookupInvoice],
  handoffs: ['triage'],
});

export const technical = defineAgent({
  name: 'technical',
  instructions: 'You solve technical problems. Check the status page first. Hand anything else back to triage.',
  handoffDescription: 'Errors, outages and anything that does not work.',
  tools: [checkStatusPage],
  handoffs: ['triage'],
});

export const triage = defineAgent({
  name: 'triage',
  instructions: 'Find out what the user needs and hand the conversation to the right specialist.',
  handoffs: [billing, technical],
});

export const agents = [triage];
