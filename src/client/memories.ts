/** A user's long-term memories in the projection: list, add (a keyed fact replaces the earlier one), forget. */
import { z } from 'zod';
import { deleteMemory as deleteMemoryRow, insertMemory, selectMemories } from '../postgres/memories';
import { MemoryInput, MemorySelector, type Memory } from '../shared/memory';
import { UserId } from '../shared/schemas';
import { check, checkSessionId } from './checks';
import type { Transport } from './transport';

/** A user's memories, most recently changed first (at most `limit`, 100 when absent). */
export async function listMemories(transport: Transport, userId: string, options: { limit?: number }): Promise<Memory[]> {
  const user = check(UserId, userId, 'invalid user id');
  const limit = check(z.number().int().positive().max(10_000).default(100), options.limit, 'invalid limit');
  return transport.read(() => selectMemories(transport.requirePool(), user, limit));
}

/** Stores a fact in a user's memory, naming the session it came from when given. */
export async function addMemory(transport: Transport, userId: string, memory: MemoryInput, options: { sourceSession?: string }): Promise<Memory> {
  const user = check(UserId, userId, 'invalid user id');
  const input = check(MemoryInput, memory, 'invalid memory');
  const source = options.sourceSession === undefined ? null : checkSessionId(options.sourceSession);
  return transport.read(() => insertMemory(transport.requirePool(), user, input, source));
}

/** Forgets one of a user's memories, by id or key; the memory removed, or undefined when none matched. */
export async function deleteMemory(transport: Transport, userId: string, which: MemorySelector): Promise<Memory | undefined> {
  const user = check(UserId, userId, 'invalid user id');
  const selector = check(MemorySelector, which, 'invalid memory selector');
  return transport.read(() => deleteMemoryRow(transport.requirePool(), user, selector));
}
