import type { Logger } from 'pino';
import type { UserDoc } from './db/mongo.js';

/** Hono context variables set by the middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    user: UserDoc;
    sessionId: string;
  };
}
