// The one place errors become API Status errors: storage codes, fastify's own errors and anything unexpected.
// An unexpected error is logged and answered with a generic 500, never with its internal message.
import { errors, isStatusError, StatusError } from '@podling/api';
import { isStorageError } from '@podling/store';
import type { FastifyBaseLogger } from 'fastify';

interface FastifyLikeError { statusCode?: number; code?: string; message: string }

export function toStatusError(e: unknown, log: FastifyBaseLogger): StatusError {
  if (isStatusError(e)) return e;
  if (isStorageError(e)) {
    const key = e.key;
    switch (e.code) {
      case 'NotFound': return errors.notFound(key?.resource ?? 'object', key?.name ?? '');
      case 'KeyExists': return errors.alreadyExists(key?.resource ?? 'object', key?.name ?? '');
      case 'Expired': return errors.expired(e.message);
      case 'Invalid': return errors.badRequest(e.message);
      case 'Unavailable': return errors.serviceUnavailable(e.message);
      case 'Timeout': return errors.timeout(e.message);
    }
  }
  const fe = e as FastifyLikeError;
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    switch (fe.statusCode) {
      case 413: return errors.tooLarge('limit is 3145728');
      case 415: return errors.unsupportedMediaType(ACCEPTED_BODY_TYPES);
      case 404: return notFoundPath();
      default: return errors.badRequest(fe.message);
    }
  }
  if (e instanceof RangeError) return errors.badRequest(`the request body is too deeply nested or too large: ${e.message}`);
  log.error({ err: e }, 'unexpected error');
  return errors.internal();
}

export const ACCEPTED_BODY_TYPES = ['application/json', 'application/yaml'];

export function notFoundPath(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}
