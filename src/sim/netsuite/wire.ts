import { json, type SimResponse } from '../common/server.js';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/** NetSuite's error body (api notes §5, §9). */
export function errorBody(
  status: number,
  code: string,
  detail: string,
  path?: string,
  query = false,
): SimResponse {
  return json(status, {
    type: `https://www.rfc-editor.org/rfc/rfc9110.html#section-15.${status >= 500 ? 6 : 5}.${status >= 500 ? 1 : status - 399}`,
    title: TITLES[status] ?? 'Error',
    status,
    'o:errorDetails': [
      {
        detail,
        'o:errorCode': code,
        ...(path === undefined ? {} : query ? { 'o:errorQueryParam': path } : { 'o:errorPath': path }),
      },
    ],
  });
}
