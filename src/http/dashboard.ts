import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { escapeHtml } from './html';

/** Where `npm run build` writes the analytics dashboard (tools/build-dashboard.ts). */
export const DASHBOARD_DIR = path.resolve(__dirname, '../../dashboard');
export const DASHBOARD_PATH = '/dashboard';
/** Stands in the built page for the demo token's meta tag, which only development gets. */
const DEMO_TOKEN_SLOT = '%DEMO_TOKEN%';

/**
 * The page's own files only: no inline script or style, nothing from elsewhere; the WebSocket is this
 * origin's (CSP Level 3 `'self'` covers ws: and wss: on it).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export interface DashboardFiles {
  index: string;
  /** Hashed file names → content: each name changes with its content, so they are cached for a year. */
  assets: Map<string, { body: Buffer; type: string }>;
}

/** Reads the built dashboard once at start-up; undefined when it was not built (the routes then say so). */
export async function loadDashboard(demoToken: string | undefined): Promise<DashboardFiles | undefined> {
  let template: string;
  let names: string[];
  try {
    [template, names] = await Promise.all([
      readFile(path.join(DASHBOARD_DIR, 'index.html'), 'utf8'),
      readdir(path.join(DASHBOARD_DIR, 'assets')),
    ]);
  } catch {
    return undefined;
  }
  const assets = new Map<string, { body: Buffer; type: string }>();
  for (const name of names) {
    const type = CONTENT_TYPES[path.extname(name)];
    if (type) assets.set(name, { body: await readFile(path.join(DASHBOARD_DIR, 'assets', name)), type });
  }
  const meta = demoToken ? `<meta name="studygraph-demo-token" content="${escapeHtml(demoToken)}">` : '';
  return { index: template.replace(DEMO_TOKEN_SLOT, meta), assets };
}

export function registerDashboardRoutes(app: FastifyInstance, files: DashboardFiles | undefined): void {
  const page = async (_request: unknown, reply: import('fastify').FastifyReply) => {
    if (!files)
      return reply.code(503).type('text/plain; charset=utf-8').send('The dashboard is not built: run `npm run build`.');
    return (
      reply
        .header('content-security-policy', CONTENT_SECURITY_POLICY)
        // The page names its assets by hash: it is revalidated each time, they never are.
        .header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .type('text/html; charset=utf-8')
        .send(files.index)
    );
  };
  app.get(DASHBOARD_PATH, page);
  app.get(`${DASHBOARD_PATH}/`, page);
  app.get<{ Params: { file: string } }>(`${DASHBOARD_PATH}/assets/:file`, async (request, reply) => {
    const asset = files?.assets.get(request.params.file);
    if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('Not found.');
    return reply
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .type(asset.type)
      .send(asset.body);
  });
  // Browsers ask for it on every page of the origin: "no icon", said once a day, instead of a 404 each time.
  app.get('/favicon.ico', async (_request, reply) =>
    reply.code(204).header('cache-control', 'public, max-age=86400').send(),
  );
}
