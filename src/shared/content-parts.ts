/**
 * The content parts of a message (text, refusal, image, file), as the Responses API spells them and as
 * the `@openai/agents` SDK spells them, checked structurally; an image or a file inline is a data URL
 * whose media type and size are checked too. Unknown part types are kept as given. Workflow-safe.
 */
import { z } from 'zod';
import { MAX_PART_BYTES } from './limits';

/** The prefix of a reference to a large part stored outside the workflow (`<prefix><sha-256 hex>`). */
export const CONTENT_REF_PREFIX = 'agent-sessions-content:sha256:';

/** Whether a string is a reference to a stored part. */
export function isContentRef(value: string): boolean {
  return value.startsWith(CONTENT_REF_PREFIX) && /^[0-9a-f]{64}$/.test(value.slice(CONTENT_REF_PREFIX.length));
}

/** The image types the OpenAI models read. */
export const IMAGE_MEDIA_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

/** The file types an `input_file` may carry inline. */
export const FILE_MEDIA_TYPES = [
  'application/pdf',
  'text/plain',
  'text/markdown',
  'text/csv',
  'text/html',
  'application/json',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
] as const;

/** A data URL, split: its media type and the size of what it decodes to. */
export interface DataUrl {
  mediaType: string;
  bytes: number;
}

const DATA_URL_HEAD = /^data:([a-z0-9.+-]+\/[a-z0-9.+-]+)((?:;[a-z0-9.+-]+=[^;,]*)*);base64,/i;

/** Parses a base64 data URL, or says what is wrong with it. */
export function parseDataUrl(value: string): DataUrl | { problem: string } {
  const head = DATA_URL_HEAD.exec(value);
  if (!head) return { problem: 'is not a base64 data URL (data:<media type>;base64,<data>)' };
  // The model APIs take only the lower-case spelling, and only that one is stored apart when large.
  if (!head[0].startsWith('data:') || head[1] !== head[1].toLowerCase() || !head[0].endsWith(';base64,')) {
    return { problem: `is a data URL with capitals in "${head[0]}"; write its scheme, media type and ";base64," in lower case (data:${head[1].toLowerCase()};base64,…)` };
  }
  const data = value.slice(head[0].length);
  if (data.length === 0) return { problem: 'is a data URL with no data' };
  if (data.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) {
    const space = data.search(/\s/);
    const why = space === -1 ? '' : ` (it holds a space or line break at character ${head[0].length + space}; remove them)`;
    return { problem: `is a data URL whose data is not valid base64${why}` };
  }
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return { mediaType: head[1].toLowerCase(), bytes: (data.length / 4) * 3 - padding };
}

/** What is wrong with an inline image or file (a data URL), or undefined: its form, its media type, its size. */
export function dataUrlProblem(value: string, allowed: readonly string[], what: 'an image' | 'a file'): string | undefined {
  const parsed = parseDataUrl(value);
  if ('problem' in parsed) return `${what} ${parsed.problem}`;
  if (!allowed.includes(parsed.mediaType)) return `${what} of type ${parsed.mediaType} is not supported (use ${allowed.join(', ')})`;
  if (parsed.bytes > MAX_PART_BYTES) return `${what} of ${parsed.bytes} bytes is over the limit of ${MAX_PART_BYTES} bytes`;
  return undefined;
}

/** What is wrong with an image reference: a URL, a data URL or a stored part's reference; undefined when fine. */
export function imageUrlProblem(value: string): string | undefined {
  if (isContentRef(value)) return undefined;
  if (/^data:/i.test(value)) return dataUrlProblem(value, IMAGE_MEDIA_TYPES, 'an image');
  return webUrlProblem(value, 'an image URL');
}

/**
 * What is wrong with an image or file as the Agents SDK spells it (`image`, `file`): the API's forms,
 * or bare base64 data (no media type to check, only its size).
 */
function sdkDataProblem(value: string, apiForm: (value: string) => string | undefined, what: 'an image' | 'a file'): string | undefined {
  if (isContentRef(value) || /^data:/i.test(value) || /^https?:/i.test(value)) return apiForm(value);
  if (value.length === 0 || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    return `${what} must be an http(s) URL, a data URL or base64 data`;
  }
  const bytes = (value.length / 4) * 3 - (value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0);
  return bytes > MAX_PART_BYTES ? `${what} of ${bytes} bytes is over the limit of ${MAX_PART_BYTES} bytes` : undefined;
}

/** What is wrong with a URL the model fetches itself: it must be http(s). */
function webUrlProblem(value: string, what: string): string | undefined {
  if (/^https?:\/\//i.test(value) && /\s/.test(value)) return `${what} must not hold spaces or line breaks; percent-encode them (%20)`;
  if (!/^https?:\/\/[^\s/?#]+[^\s]*$/i.test(value)) return `${what} must be an http(s) URL or a data URL`;
  return undefined;
}

/** What is wrong with inline file data: a data URL of a supported type, or a stored part's reference. */
function fileDataProblem(value: string): string | undefined {
  if (isContentRef(value)) return undefined;
  return dataUrlProblem(value, FILE_MEDIA_TYPES, 'a file');
}

/** What is wrong with the SDK's `file` string in the API's forms: a data URL, a reference or an http(s) URL. */
function fileStringProblem(value: string): string | undefined {
  return /^https?:/i.test(value) ? webUrlProblem(value, 'a file URL') : fileDataProblem(value);
}

/** A string checked by a problem function. */
function checked(problem: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const found = problem(value);
    if (found) ctx.addIssue({ code: 'custom', message: found });
  });
}

/** Text (`input_text`, `output_text` with its annotations and logprobs when a model gave them). */
const TextPart = z.looseObject({ type: z.enum(['input_text', 'output_text']), text: z.string() });

/** A refusal from the model. */
const RefusalPart = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });

const ImageDetail = z.enum(['auto', 'low', 'high', 'original']).nullish();

/**
 * An image: `image_url` (a URL or a data URL) or `file_id` as the Responses API spells it; `image` (a
 * URL, a data URL, or `{ id }`) as the Agents SDK does.
 */
const ImagePart = z
  .looseObject({
    type: z.literal('input_image'),
    image_url: checked(imageUrlProblem).nullish(),
    file_id: z.string().min(1).nullish(),
    image: z.union([checked((value) => sdkDataProblem(value, imageUrlProblem, 'an image')), z.looseObject({ id: z.string().min(1) })]).optional(),
    detail: ImageDetail,
  })
  .refine((part) => Boolean(part.image_url ?? part.file_id ?? part.image), { message: 'an input_image needs image_url, file_id or image' });

/**
 * A file: `file_data` (a data URL), `file_id` or `file_url` as the Responses API spells it; `file` (a
 * data URL, `{ id }` or `{ url }`) as the Agents SDK does; an optional `filename`.
 */
const FilePart = z
  .looseObject({
    type: z.literal('input_file'),
    file_data: checked(fileDataProblem).nullish(),
    file_id: z.string().min(1).nullish(),
    file_url: checked((value) => webUrlProblem(value, 'a file URL')).nullish(),
    file: z
      .union([
        checked((value) => sdkDataProblem(value, fileStringProblem, 'a file')),
        z.looseObject({ id: z.string().min(1) }),
        z.looseObject({ url: checked((value) => webUrlProblem(value, 'a file URL')) }),
      ])
      .optional(),
    filename: z.string().max(255).nullish(),
  })
  .refine((part) => Boolean(part.file_data ?? part.file_id ?? part.file_url ?? part.file), { message: 'an input_file needs file_data, file_id, file_url or file' });

/** The known part types, by type. */
const KNOWN_PARTS: Record<string, z.ZodType> = {
  input_text: TextPart,
  output_text: TextPart,
  refusal: RefusalPart,
  input_image: ImagePart,
  input_file: FilePart,
};

/** Copies the issues of a nested check into the outer one, under a path. */
export function forwardIssues(ctx: z.RefinementCtx, error: z.ZodError, path: (string | number)[] = []): void {
  for (const issue of error.issues) ctx.addIssue({ ...issue, path: [...path, ...issue.path] } as never);
}

/** One content part: known types checked; any other part with a `type` string kept as given. */
export const ContentPart = z.looseObject({ type: z.string({ error: 'a content part needs a type' }) }).superRefine((part, ctx) => {
  const known = KNOWN_PARTS[part.type];
  if (!known) return;
  const result = known.safeParse(part);
  if (!result.success) forwardIssues(ctx, result.error);
});
/** One content part (text, refusal, image, file, or a type this version does not know). */
export type ContentPart = { type: string; [key: string]: unknown };

/** The parts a user's message may be made of: text, images and files. */
export const UserContentPart = ContentPart.refine((part) => ['input_text', 'input_image', 'input_file'].includes(part.type), {
  message: 'a user message part must be input_text, input_image or input_file',
});

/** The text of a content part, if it is text (or a refusal). */
export function partText(part: ContentPart): string | undefined {
  if ((part.type === 'input_text' || part.type === 'output_text') && typeof part.text === 'string') return part.text;
  if (part.type === 'refusal' && typeof part.refusal === 'string') return part.refusal;
  return undefined;
}

/** A short label for a part that is not text: `[image]`, `[file report.pdf]`, `[audio]`. */
export function partLabel(part: ContentPart): string {
  if (part.type === 'input_image') return '[image]';
  if (part.type === 'input_file') {
    const name = typeof part.filename === 'string' && part.filename ? ` ${part.filename}` : '';
    return `[file${name}]`;
  }
  return `[${part.type.replace(/^input_/, '')}]`;
}
