import type { Logger } from 'pino';
import type { UserDoc } from './db/mongo.js';

/** Hono context variables every request has (set by the app's middleware). */
export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
  };
}

/**
 * A route behind requireUser (middleware/auth.ts): the session's user and id are on the
 * context. Only a route that declares that middleware is typed to read them.
 */
export interface SessionEnv {
  Variables: AppEnv['Variables'] & {
    user: UserDoc;
    sessionId: string;
  };
}
