import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { MANIFEST_FILE } from '../src/cache/persisted-queries';
import { DASHBOARD_DIR, DASHBOARD_PATH } from '../src/http/dashboard';

/** The dashboard's sources (browser TypeScript and CSS, typechecked by `tsc -b` through their own tsconfig). */
const SOURCE_DIR = path.resolve(__dirname, '../../dashboard');
const BUILT_PAGE = path.join(DASHBOARD_DIR, 'index.html');

async function newestSource(): Promise<number> {
  const sources = (await readdir(SOURCE_DIR)).map((name) => path.join(SOURCE_DIR, name));
  // The saved operations' hashes are bundled too; chart.js and graphql-ws change only with package-lock.json;
  // this script and the page's server decide how it is built and where it lives.
  const inputs = [
    ...sources,
    MANIFEST_FILE,
    path.resolve(SOURCE_DIR, '../package-lock.json'),
    __filename,
    path.resolve(__dirname, '../src/http/dashboard.js'),
  ];
  return Math.max(...(await Promise.all(inputs.map(async (file) => (await stat(file)).mtimeMs))));
}

async function upToDate(): Promise<boolean> {
  try {
    return (await stat(BUILT_PAGE)).mtimeMs >= (await newestSource());
  } catch {
    return false;
  }
}

/** Bundles dashboard/ into dist/dashboard: index.html naming assets/main-<hash>.js and .css. */
export async function buildDashboard(): Promise<void> {
  const started = new Date();
  await rm(DASHBOARD_DIR, { recursive: true, force: true });
  const result = await build({
    entryPoints: [path.join(SOURCE_DIR, 'main.ts')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    outdir: path.join(DASHBOARD_DIR, 'assets'),
    entryNames: '[name]-[hash]',
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((file) => path.basename(file));
  const script = outputs.find((name) => name.endsWith('.js'));
  const style = outputs.find((name) => name.endsWith('.css'));
  if (!script || !style) throw new Error(`esbuild wrote no script or no stylesheet: ${outputs.join(', ')}`);
  const template = await readFile(path.join(SOURCE_DIR, 'index.html'), 'utf8');
  const page = template
    .replace('%SCRIPT%', `${DASHBOARD_PATH}/assets/${script}`)
    .replace('%STYLE%', `${DASHBOARD_PATH}/assets/${style}`);
  await mkdir(DASHBOARD_DIR, { recursive: true });
  await writeFile(BUILT_PAGE, page);
  // Stamped with the build's start: a source saved while it ran is newer, so the next build takes it.
  await utimes(BUILT_PAGE, started, started);
}

async function main(): Promise<void> {
  if (await upToDate()) return;
  const started = Date.now();
  await buildDashboard();
  console.error(
    `built the dashboard into ${path.relative(process.cwd(), DASHBOARD_DIR)} in ${Date.now() - started} ms`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
