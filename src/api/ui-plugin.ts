import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fastifyStatic } from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where `vite build` writes the UI: `<repository>/dist/ui`, from `src/api` and from the compiled `dist/api`. */
export const DEFAULT_UI_ROOT = fileURLToPath(new URL('../../dist/ui/', import.meta.url));

export interface UiPluginOptions {
  /** The built UI (`index.html` and `assets/`); default `dist/ui` of this repository. */
  root?: string;
  /**
   * The sandbox's root credentials, offered to the UI at `GET /ui/sandbox-credentials` so a developer can
   * sign in with one click. Pass them only in sandbox mode: without this option the route does not exist.
   */
  sandboxCredentials?: { clientId: string; accessToken: string };
}

/** The UI talks only to this origin; assets are script and style files, never inline code. */
const UI_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; " +
    "base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Hashed file names change with their content: browsers may keep them. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

const NOT_BUILT_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>AWS Provisioner</title></head>
<body><h1>The admin UI is not built</h1><p>Run <code>npm run build:ui</code> (or <code>npm run build</code>), then
restart the server. The API is served under <a href="/api/aws-provisioner/v1/api-reference">/api/aws-provisioner/v1/</a>.</p>
</body></html>`;

/**
 * Serves the admin UI at `/` on the API's port: the files of the built UI only (no directory wildcard, so
 * unknown paths keep the API's 404), and the sandbox's credentials when given.
 */
export function uiPlugin(options: UiPluginOptions = {}): (app: FastifyInstance) => Promise<void> {
  const root = options.root ?? DEFAULT_UI_ROOT;
  return async (app) => {
    if (options.sandboxCredentials) {
      const { clientId, accessToken } = options.sandboxCredentials;
      // Same origin only: the API's CORS header would let any web page the developer visits read them.
      app.get('/ui/sandbox-credentials', async (_request, reply) => {
        reply.removeHeader('access-control-allow-origin');
        return { clientId, accessToken };
      });
    }
    if (!existsSync(join(root, 'index.html'))) {
      app.get('/', async (_request, reply) =>
        reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE),
      );
      return;
    }
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      wildcard: false,
      decorateReply: false,
      index: 'index.html',
      cacheControl: false,
      setHeaders: (reply: FastifyReply, path: string) => {
        reply.headers(UI_HEADERS);
        if (path.includes(`${join('/', 'assets')}/`)) reply.header('cache-control', IMMUTABLE);
      },
    });
  };
}
