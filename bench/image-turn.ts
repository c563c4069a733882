/**
 * What an image costs a turn: text turns and turns with a 5 MB PNG (a data URL), one session, side by
 * side: the caller's time and the bytes each turn adds to the workflow's Temporal history (the image
 * itself is stored once in Postgres and travels as a reference).
 * Run: `npm run bench:image` (DATABASE_URL for a real Postgres; BENCH_SAMPLES turns of each, 5 by default).
 */
import { startTestStack } from '../test/support/stack';
import { percentile, printTable, summarise } from './stats';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 5);
const IMAGE_BYTES = 5 * 1024 * 1024;

/** A PNG-typed data URL of `bytes` bytes (the offline model only counts it; a real model would read it). */
function pngDataUrl(bytes: number, seed: number): string {
  const data = Buffer.alloc(bytes, seed);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(data);
  return `data:image/png;base64,${data.toString('base64')}`;
}

async function main(): Promise<void> {
  const stack = await startTestStack();
  try {
    await stack.startWorker();
    const session = `bench-image-${Date.now()}`;
    await stack.client.send(session, 'Hello');
    const costs = { text: { ms: [] as number[], bytes: [] as number[] }, image: { ms: [] as number[], bytes: [] as number[] } };
    for (let sample = 0; sample < SAMPLES; sample++) {
      for (const kind of ['text', 'image'] as const) {
        const message =
          kind === 'text'
            ? `Text turn ${sample}`
            : {
                input: [
                  { type: 'input_text' as const, text: `Image turn ${sample}` },
                  { type: 'input_image' as const, image_url: pngDataUrl(IMAGE_BYTES, sample + 1) },
                ],
              };
        const before = (await stack.client.status(session)).historySizeBytes;
        const started = performance.now();
        await stack.client.send(session, message);
        costs[kind].ms.push(performance.now() - started);
        costs[kind].bytes.push((await stack.client.status(session)).historySizeBytes - before);
      }
    }
    printTable([summarise('text turn', costs.text.ms), summarise('turn with a 5 MB image', costs.image.ms)]);
    console.log(`history bytes added per turn (median): text ${percentile(costs.text.bytes, 50)}, 5 MB image ${percentile(costs.image.bytes, 50)}`);
    console.log(`history size after ${2 * SAMPLES + 1} turns: ${(await stack.client.status(session)).historySizeBytes} bytes`);
  } finally {
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
