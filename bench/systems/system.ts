/** What the comparison needs of each system: fill a session with earlier turns, then run a turn. */
export interface BenchSystem {
  /** How the table names it. */
  name: string;
  /** Gives the session `turns` earlier turns (as a long-running session would have). */
  prefill(sessionId: string, turns: number): Promise<void>;
  /** Runs one turn of the session; the reply's text. */
  turn(sessionId: string, message: string): Promise<string>;
  /** Releases what the system holds. */
  close(): Promise<void>;
}
