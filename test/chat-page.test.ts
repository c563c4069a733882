/**
 * The chat page served by `serve`, driven in headless Chromium (Debian's, through playwright-core): it
 * asks for the API token, lists the sessions, shows a conversation's history, streams a reply in as
 * it is written, shows the context, and approves a waiting tool call with its button. The test saves
 * a screenshot to test/screenshots/chat-page.png.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { defineAgent } from '../src/agents';
import { startHttpServer, type RunningHttpServer } from '../src/server/http-server';
import { refundTool, type RefundContext } from './support/refund-tool';
import { startTestStack, type TestStack } from './support/stack';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = path.resolve(__dirname, 'screenshots', 'chat-page.png');
const TOKEN = 'page-token-51c2';

const shop = defineAgent<RefundContext>({ name: 'shop', instructions: 'You help with orders and refunds.', tools: [refundTool] });

let stack: TestStack;
let server: RunningHttpServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's (apt-get install chromium) or set CHROMIUM_PATH`);
  [stack, browser] = await Promise.all([
    startTestStack({ agents: [shop] }),
    chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    }),
  ]);
  server = await startHttpServer({ client: stack.client, token: TOKEN });
  page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  page.on('dialog', (dialog) => void dialog.accept(dialog.message().includes('token') ? TOKEN : 'too expensive'));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await stack?.stop();
});

beforeEach(() => stack.model.reset());

test('asks for the token, lists the sessions and shows the history of the one clicked', async () => {
  await stack.client.send('page:earlier', 'My name is Grace');
  await page.goto(`${server.url}/`);
  const row = page.locator('#session-list li', { hasText: 'page:earlier' });
  await row.click();
  await page.locator('#session-state', { hasText: 'idle · 1 turns · shop' }).waitFor();
  await expect(page.locator('#history li').allTextContents()).resolves.toEqual(['My name is Grace', 'shopNice to meet you, Grace!']);
  await expect(row.getAttribute('class')).resolves.toBe('active');
});

test('streams a reply into the page while it is written, then shows the whole of it', async () => {
  await page.fill('#new-session', 'page:live');
  await page.click('#open-session button');
  await page.locator('#session-state', { hasText: 'new' }).waitFor();
  expect(await page.locator('#history li').count()).toBe(0);
  stack.model.enqueue({ text: 'This reply arrives one word at a time, like a real model writing it.', chunkDelayMs: 120 });
  await page.fill('#message', 'Tell me something');
  await page.press('#message', 'Enter');
  const streaming = page.locator('#history li.assistant.streaming');
  await streaming.waitFor();
  const partial = (await streaming.textContent()) ?? '';
  expect(partial.length).toBeGreaterThan(0);
  expect(partial).not.toContain('like a real model writing it.');
  await page.locator('#history li.assistant:not(.streaming)', { hasText: 'like a real model writing it.' }).waitFor();
  await expect(page.locator('#history li').allTextContents()).resolves.toEqual(['Tell me something', 'shopThis reply arrives one word at a time, like a real model writing it.']);
});

test('shows a call that waits for approval with buttons; Approve lets the turn finish and the context change', async () => {
  await page.fill('#new-session', 'page:refund');
  await page.click('#open-session button');
  await page.locator('#session-state', { hasText: 'new' }).waitFor();
  expect(await page.locator('#history li').count()).toBe(0);
  stack.model.enqueue({ toolCalls: [{ name: 'refund', arguments: { order: 'A-7' } }] }, { text: 'Order A-7 is refunded.', chunkDelayMs: 30 });
  await page.fill('#message', 'Please refund A-7');
  await page.press('#message', 'Enter');
  const waiting = page.locator('#approvals li', { hasText: 'refund' });
  await waiting.waitFor();
  await expect(waiting.locator('code').textContent()).resolves.toBe('{"order":"A-7"}');
  mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT });
  await waiting.locator('button.approve').click();
  await page.locator('#history li.assistant', { hasText: 'Order A-7 is refunded.' }).waitFor();
  await page.locator('#context', { hasText: 'A-7' }).waitFor();
  expect(JSON.parse((await page.locator('#context').textContent()) ?? '{}')).toEqual({ refunded: ['A-7'] });
  await expect(page.locator('#approvals li').allTextContents()).resolves.toEqual(['Nothing waits for a decision.']);
  expect(existsSync(SCREENSHOT)).toBe(true);
});

test('attaches an image with the file input, sends it with the text, and shows it in the history', async () => {
  await page.fill('#new-session', 'page:image');
  await page.click('#open-session button');
  await page.locator('#session-state', { hasText: 'new' }).waitFor();
  // A 1x1 PNG.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
  await page.setInputFiles('#attach', { name: 'dot.png', mimeType: 'image/png', buffer: png });
  await page.locator('#attached', { hasText: 'image dot.png' }).waitFor();
  await page.fill('#message', 'What is this?');
  await page.press('#message', 'Enter');
  await page.locator('#history li.assistant:not(.streaming)', { hasText: 'I see 1 image' }).waitFor();
  const source = await page.locator('#history li.user img').first().getAttribute('src');
  expect(source).toBe(`data:image/png;base64,${png.toString('base64')}`);
  expect((await stack.client.items('page:image'))[0].item).toEqual({
    type: 'message',
    role: 'user',
    content: [
      { type: 'input_text', text: 'What is this?' },
      { type: 'input_image', image_url: source },
    ],
  });
});
