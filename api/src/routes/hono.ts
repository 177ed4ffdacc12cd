import { OpenAPIHono } from '@hono/zod-openapi';
import { badRequest } from '../errors.js';
import { problem } from '../middleware/problem.js';
import type { AppEnv } from '../types.js';

/**
 * The app's Hono: a request that fails its route's schemas is one 400 problem listing every
 * field that is wrong (`errors: [{path, message}]`). The app and the route tests build on it.
 */
export function apiHono(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const errors = result.error.issues.map((issue) => ({
        path: issue.path.join('.') || '(body)',
        message: issue.message,
      }));
      return problem(c, badRequest(errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors }));
    },
  });
}
