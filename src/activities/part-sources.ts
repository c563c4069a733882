/**
 * Where an image or a file part comes from, whichever spelling holds it (the Responses API's
 * `image_url`/`file_id`/`file_data`/`file_url`, the Agents SDK's `image`/`file` as a URL, bare base64,
 * `{ id }`, `{ url }` or `{ data, mediaType }`), in the fields the model APIs take.
 */
import type { ContentPart } from '../shared/content-parts';

/** An image's source, or why there is none the APIs can take. */
export type ImageSource = { image_url: string } | { file_id: string } | { problem: string };

/** A file's source (with its name when it has one), or why there is none. */
export type FileSource = (({ file_data: string } | { file_id: string } | { file_url: string }) & { filename?: string }) | { problem: string };

/** The source of an image part. */
export function imageSource(part: ContentPart): ImageSource {
  const image = part.image ?? part.imageUrl;
  if (typeof part.image_url === 'string') return { image_url: part.image_url };
  if (typeof image === 'string' && isBareBase64(image)) {
    const mediaType = sniffedImageType(image);
    return mediaType ? { image_url: inlineData(image, mediaType) } : { problem: 'holds base64 image data of no type it can tell (send a data URL with its media type)' };
  }
  if (typeof image === 'string') return { image_url: image };
  if (typeof part.file_id === 'string') return { file_id: part.file_id };
  if (isObject(image) && typeof image.id === 'string') return { file_id: image.id };
  if (isObject(image) && typeof image.fileId === 'string') return { file_id: image.fileId };
  if (isObject(image) && typeof image.url === 'string') return { image_url: image.url };
  if (isObject(image) && typeof image.data === 'string') {
    return { image_url: inlineData(image.data, typeof image.mediaType === 'string' ? image.mediaType : (sniffedImageType(image.data) ?? 'image/png')) };
  }
  if (typeof part.fileId === 'string') return { file_id: part.fileId };
  return { problem: 'has neither a URL nor a file id' };
}

/** The source of a file part. */
export function fileSource(part: ContentPart): FileSource {
  const file = part.file;
  const filename = typeof part.filename === 'string' ? part.filename : isObject(file) && typeof file.filename === 'string' ? file.filename : undefined;
  const named = <T extends object>(source: T) => (filename === undefined ? source : { ...source, filename });
  if (typeof part.file_data === 'string') return named({ file_data: part.file_data });
  if (typeof part.file_id === 'string') return named({ file_id: part.file_id });
  if (typeof part.file_url === 'string') return named({ file_url: part.file_url });
  if (typeof file === 'string') return named(/^https?:\/\//i.test(file) ? { file_url: file } : { file_data: file });
  if (isObject(file) && typeof file.id === 'string') return named({ file_id: file.id });
  if (isObject(file) && typeof file.url === 'string') return named({ file_url: file.url });
  if (isObject(file) && typeof file.data === 'string') return named({ file_data: inlineData(file.data, typeof file.mediaType === 'string' ? file.mediaType : 'text/plain') });
  return { problem: 'has no data, id or URL' };
}

/** Whether a string is bare base64 data rather than a URL or a data URL. */
function isBareBase64(value: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(value) && /^[A-Za-z0-9+/]+={0,2}$/.test(value);
}

/** Base64 data as a data URL (a data URL stays as it is), as the SDK's own converter writes it. */
function inlineData(data: string, mediaType: string): string {
  return data.startsWith('data:') ? data : `data:${mediaType};base64,${data}`;
}

/** The image type base64 data starts like (PNG, JPEG, GIF, WebP), or undefined. */
function sniffedImageType(base64: string): string | undefined {
  if (base64.startsWith('iVBORw0KGgo')) return 'image/png';
  if (base64.startsWith('/9j/')) return 'image/jpeg';
  if (base64.startsWith('R0lGOD')) return 'image/gif';
  if (base64.startsWith('UklGR')) return 'image/webp';
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
