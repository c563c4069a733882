/**
 * The chat page of `agent-sessions serve`: the sessions, a conversation's history, the reply streaming
 * in as it is written (server-sent events over POST), the context and the pending approvals. Plain
 * browser JavaScript over the HTTP API; every text from the server is shown with textContent.
 */
'use strict';

const TOKEN_KEY = 'agent-sessions-token';
const page = {
  session: undefined,
  sending: false,
  /** The image to send with the next message: { name, url } (a data URL), or undefined. */
  attachment: undefined,
  token: localStorage.getItem(TOKEN_KEY) || '',
};
const $ = (id) => document.getElementById(id);

/** Calls the API; asks for the bearer token once when the server wants one. */
async function api(method, path, body, extraHeaders = {}) {
  const headers = { 'content-type': 'application/json', ...extraHeaders };
  if (page.token) headers.authorization = `Bearer ${page.token}`;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 401 && !extraHeaders.retried) {
    const token = window.prompt('This server needs its API token (AGENT_SESSIONS_API_TOKEN):');
    if (token) {
      page.token = token;
      localStorage.setItem(TOKEN_KEY, token);
      return api(method, path, body, { ...extraHeaders, retried: '1' });
    }
  }
  return response;
}

/** The JSON answer of a call, or an Error with the server's message. */
async function json(method, path, body) {
  const response = await api(method, path, body);
  const answer = await response.json();
  if (!response.ok) throw Object.assign(new Error(answer.error ? answer.error.message : response.statusText), { status: response.status });
  return answer;
}

const sessionPath = (id) => `/v1/sessions/${encodeURIComponent(id)}`;

function showError(error) {
  $('error').textContent = error ? String(error.message || error) : '';
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The sessions, most recently changed first. */
async function loadSessions() {
  try {
    const { sessions } = await json('GET', '/v1/sessions?limit=50');
    const list = $('session-list');
    list.replaceChildren(
      ...sessions.map((entry) => {
        const row = element('li', entry.sessionId === page.session ? 'active' : '', entry.sessionId);
        row.dataset.session = entry.sessionId;
        row.append(element('small', '', `${entry.itemCount} items · ${entry.agent} · ${new Date(entry.updatedAt).toLocaleString()}`));
        row.addEventListener('click', () => openSession(entry.sessionId));
        return row;
      }),
    );
    $('list-note').textContent = sessions.length === 0 ? 'No sessions yet: open one by its id.' : '';
  } catch (error) {
    showError(error);
  }
}

/** Shows one session: its history, state, context and approvals. */
async function openSession(id) {
  page.session = id;
  location.hash = encodeURIComponent(id);
  $('session-title').textContent = id;
  $('history').replaceChildren();
  $('session-state').textContent = '';
  $('context').textContent = '{}';
  $('approvals').replaceChildren();
  $('message').disabled = false;
  $('attach').disabled = false;
  $('send').disabled = false;
  showError();
  for (const row of $('session-list').children) row.classList.toggle('active', row.dataset.session === id);
  await Promise.all([loadHistory(), loadDetails()]);
}

/** Whether a string may be shown as an image's src: a data URL of an image, or an http(s) URL. */
function showableImage(url) {
  return typeof url === 'string' && (/^data:image\/(png|jpeg|gif|webp);base64,/.test(url) || /^https?:\/\//.test(url));
}

/** What one content part shows: its text, an <img> for an image, a chip with the name for a file. */
function partNodes(part) {
  if (typeof part.text === 'string') return [document.createTextNode(part.text)];
  if (typeof part.refusal === 'string') return [document.createTextNode(part.refusal)];
  if (part.type === 'input_image') {
    const url = part.image_url || (typeof part.image === 'string' ? part.image : undefined);
    if (showableImage(url)) {
      const image = document.createElement('img');
      image.src = url;
      image.alt = 'image';
      return [image];
    }
    return [element('span', 'chip', 'image')];
  }
  if (part.type === 'input_file') return [element('span', 'chip', `file ${part.filename || ''}`.trim())];
  return [element('span', 'chip', String(part.type || 'part').replace(/^input_/, ''))];
}

/** A bubble for one session item. */
function itemNode(entry) {
  const item = entry.item;
  if (item.type === 'message' || (item.type === undefined && item.role)) {
    const node = element('li', item.role === 'user' ? 'user' : 'assistant');
    if (item.role !== 'user') node.append(element('small', '', entry.agent));
    if (typeof item.content === 'string') node.append(document.createTextNode(item.content));
    else for (const part of item.content) node.append(...partNodes(part));
    return node;
  }
  if (item.type === 'function_call') return element('li', 'tool', `→ ${item.name}(${item.arguments})`);
  return element('li', 'tool', `← ${item.output}`);
}

async function loadHistory() {
  const id = page.session;
  try {
    const { items } = await json('GET', `${sessionPath(id)}/items?limit=200`);
    if (id === page.session) $('history').replaceChildren(...items.map(itemNode));
    scrollDown();
  } catch (error) {
    showError(error);
  }
}

/** State, context and approvals; a session that does not exist yet shows as new. */
async function loadDetails() {
  const id = page.session;
  try {
    const [status, context, { approvals }] = await Promise.all([
      json('GET', sessionPath(id)),
      json('GET', `${sessionPath(id)}/context`),
      json('GET', `${sessionPath(id)}/approvals`),
    ]);
    if (id !== page.session) return;
    $('session-state').textContent = [status.state, `${status.turns} turns`, status.agent].filter(Boolean).join(' · ');
    $('context').textContent = JSON.stringify(context, null, 2);
    renderApprovals(approvals);
  } catch (error) {
    if (error.status !== 404) return showError(error);
    $('session-state').textContent = 'new';
    $('context').textContent = '{}';
    renderApprovals([]);
  }
}

/** Refreshes the details until the call the stream announced is listed as waiting (the workflow pauses just after). */
async function showApprovalWhenPending(callId) {
  for (let tries = 0; tries < 20; tries++) {
    await loadDetails();
    if ([...$('approvals').children].some((row) => row.dataset.call === callId)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function renderApprovals(approvals) {
  const list = $('approvals');
  if (approvals.length === 0) return list.replaceChildren(element('li', 'none', 'Nothing waits for a decision.'));
  list.replaceChildren(
    ...approvals.map((waiting) => {
      const row = element('li');
      row.dataset.call = waiting.callId;
      row.append(element('strong', '', waiting.tool), element('code', '', waiting.arguments));
      const approve = element('button', 'approve', 'Approve');
      const reject = element('button', 'reject', 'Reject');
      approve.addEventListener('click', () => decide(waiting.callId, true));
      reject.addEventListener('click', () => decide(waiting.callId, false));
      row.append(approve, document.createTextNode(' '), reject);
      return row;
    }),
  );
}

async function decide(callId, approved) {
  try {
    const reason = approved ? undefined : window.prompt('Why is it rejected? (the model reads this)') || undefined;
    await json('POST', `${sessionPath(page.session)}/approvals/${encodeURIComponent(callId)}`, { approved, ...(reason ? { reason } : {}) });
    await loadDetails();
  } catch (error) {
    showError(error);
  }
}

function scrollDown() {
  const history = $('history');
  history.scrollTop = history.scrollHeight;
}

/** The server-sent events of a response body, one object at a time. */
async function* serverSentEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const frame = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const data = frame.split('\n').find((line) => line.startsWith('data: '));
      const name = frame.split('\n').find((line) => line.startsWith('event: '));
      if (data && name) yield { event: name.slice(7), data: JSON.parse(data.slice(6)) };
    }
  }
}

/**
 * Sends a message and shows the turn as it streams: text grows in the reply bubble of its step, tool
 * calls and outputs get bubbles of their own, a `discard` removes what its step showed.
 */
async function send(text, attachment) {
  const history = $('history');
  // With an image, the message is its parts: the text (when there is some) and the image as a data URL.
  const content = attachment ? [...(text ? [{ type: 'input_text', text }] : []), { type: 'input_image', image_url: attachment.url }] : text;
  const body = attachment ? { input: content } : { text };
  history.append(itemNode({ item: { type: 'message', role: 'user', content } }));
  scrollDown();
  const byStep = new Map();
  const nodesOf = (step) => byStep.get(step) || byStep.set(step, []).get(step);
  const textNodes = new Map();
  const response = await api('POST', `${sessionPath(page.session)}/messages`, body, { accept: 'text/event-stream' });
  if (!response.ok) throw new Error((await response.json()).error.message);
  for await (const { event, data } of serverSentEvents(response)) {
    if (event === 'text') {
      let node = textNodes.get(data.step);
      if (!node) {
        node = element('li', 'assistant streaming');
        node.append(element('small', '', data.agent));
        textNodes.set(data.step, node);
        nodesOf(data.step).push(node);
        history.append(node);
      }
      node.append(document.createTextNode(data.delta));
    } else if (event === 'tool_call' || event === 'tool_output' || event === 'handoff' || event === 'approval') {
      const label =
        event === 'tool_call'
          ? `→ ${data.name}(${data.arguments})`
          : event === 'tool_output'
            ? `${data.failed ? '✗' : '←'} ${data.output}`
            : event === 'handoff'
              ? `${data.from} hands off to ${data.to}`
              : `${data.tool} waits for approval`;
      const node = element('li', 'tool', label);
      nodesOf(data.step).push(node);
      history.append(node);
      if (event === 'approval') void showApprovalWhenPending(data.callId);
    } else if (event === 'discard') {
      for (const node of nodesOf(data.step)) node.remove();
      byStep.delete(data.step);
      textNodes.delete(data.step);
    } else if (event === 'error') {
      throw new Error(data.error.message);
    }
    scrollDown();
  }
  for (const node of textNodes.values()) node.classList.remove('streaming');
}

$('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('message').value.trim();
  const attachment = page.attachment;
  if ((!text && !attachment) || !page.session || page.sending) return;
  page.sending = true;
  $('send').disabled = true;
  $('message').value = '';
  attach(undefined);
  showError();
  try {
    await send(text, attachment);
  } catch (error) {
    showError(error);
  } finally {
    page.sending = false;
    $('send').disabled = false;
    await Promise.all([loadHistory(), loadDetails(), loadSessions()]);
  }
});

$('message').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    $('composer').requestSubmit();
  }
});

/** Sets (or, with undefined, clears) the image the next message carries, and says which it is. */
function attach(attachment) {
  page.attachment = attachment;
  const note = $('attached');
  note.replaceChildren();
  if (!attachment) return;
  const remove = element('button', '', 'Remove');
  remove.type = 'button';
  remove.addEventListener('click', () => attach(undefined));
  note.append(element('span', 'chip', `image ${attachment.name}`), remove);
}

/** Reads an image file as a data URL and attaches it. */
function attachFile(file) {
  if (!file) return;
  if (!/^image\/(png|jpeg|gif|webp)$/.test(file.type)) return showError(new Error(`${file.name || 'the file'} is not a PNG, JPEG, GIF or WebP image`));
  const reader = new FileReader();
  reader.onload = () => attach({ name: file.name || 'pasted image', url: String(reader.result) });
  reader.onerror = () => showError(new Error(`cannot read ${file.name}`));
  reader.readAsDataURL(file);
}

$('attach').addEventListener('change', () => {
  attachFile($('attach').files[0]);
  $('attach').value = '';
});

$('message').addEventListener('paste', (event) => {
  const image = [...(event.clipboardData?.items || [])].find((entry) => entry.kind === 'file' && entry.type.startsWith('image/'));
  if (!image) return;
  event.preventDefault();
  attachFile(image.getAsFile());
});

$('open-session').addEventListener('submit', (event) => {
  event.preventDefault();
  const id = $('new-session').value.trim();
  if (id) openSession(id);
});

loadSessions().then(() => {
  if (location.hash.length > 1) openSession(decodeURIComponent(location.hash.slice(1)));
});
