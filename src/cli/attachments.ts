/** `send --image` and `--file`: local files read as data URLs (their type from the extension), URLs sent as they are. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ContentPart } from '../shared/content-parts';
import { InvalidInputError } from '../client/errors';

/** Image media types by file extension. */
export const IMAGE_TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' };

/** File media types by file extension. */
export const FILE_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  json: 'application/json',
  html: 'text/html',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

const isUrl = (value: string) => /^https?:\/\//i.test(value);

/** The media type of a path by its extension, or a caller error naming the extensions `option` takes. */
function mediaTypeOf(file: string, types: Record<string, string>, option: string): string {
  const extension = path.extname(file).slice(1).toLowerCase();
  const type = types[extension];
  if (!type) {
    throw new InvalidInputError(
      `${option} ${file}: ${extension ? `the extension .${extension} is not supported` : 'the file has no extension'} (use ${Object.keys(types)
        .map((known) => `.${known}`)
        .join(', ')})`,
    );
  }
  return type;
}

async function dataUrlOf(file: string, type: string, option: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new InvalidInputError(`${option} ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return `data:${type};base64,${bytes.toString('base64')}`;
}

/** The content parts for `--image` and `--file` values, in that order (each checked again by the client library). */
export async function attachmentParts(images: string[] = [], files: string[] = []): Promise<ContentPart[]> {
  const parts: ContentPart[] = [];
  for (const image of images) {
    parts.push({ type: 'input_image', image_url: isUrl(image) ? image : await dataUrlOf(image, mediaTypeOf(image, IMAGE_TYPES, '--image'), '--image') });
  }
  for (const file of files) {
    if (isUrl(file)) parts.push({ type: 'input_file', file_url: file });
    else parts.push({ type: 'input_file', filename: path.basename(file), file_data: await dataUrlOf(file, mediaTypeOf(file, FILE_TYPES, '--file'), '--file') });
  }
  return parts;
}
