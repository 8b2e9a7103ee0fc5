// Bundles src/ into dist/: one entry module and its lazy chunks (hls.js loads only on a video's page),
// the stylesheet, hls.js's worker, and index.html pointing at the hashed file names. The API embeds
// dist/ and serves it at /admin (Academy.Video.Api/Console/ConsoleEndpoints.cs).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

const dist = 'dist';
rmSync(dist, { recursive: true, force: true });
mkdirSync(`${dist}/assets`, { recursive: true });

const result = await build({
  entryPoints: { app: 'src/main.ts', styles: 'src/styles.css' },
  bundle: true,
  splitting: true,
  format: 'esm',
  target: ['chrome111', 'firefox115', 'safari16'],
  minify: true,
  // No source maps: the API embeds dist/, and hls.js's map alone is 2.7 MB.
  sourcemap: false,
  outdir: `${dist}/assets`,
  entryNames: '[name]-[hash]',
  chunkNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
  legalComments: 'linked',
});

const outputs = Object.entries(result.metafile.outputs);
const entry = (name) => basename(outputs.find(([, o]) => o.entryPoint === name)[0]);
copyFileSync('node_modules/hls.js/dist/hls.worker.js', `${dist}/assets/hls.worker.js`);
const html = readFileSync('index.html', 'utf8')
  .replace('%APP%', `/admin/assets/${entry('src/main.ts')}`)
  .replace('%STYLES%', `/admin/assets/${entry('src/styles.css')}`);
writeFileSync(`${dist}/index.html`, html);
console.log(`console: built ${outputs.length} files into ${dist}/`);
