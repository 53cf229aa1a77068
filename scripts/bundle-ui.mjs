// Part of `npm run build`, after tsc: replaces dist/src/ui/run-ui.js with one bundled file
// holding it, Ink, React and everything they import.
//
// Why: the interactive view must show its first screen about as fast as `--format text`
// prints (issue 15). Loading Ink unbundled reads ~580 files — es-toolkit/compat alone is
// 415 of them for the one `throttle` Ink takes, react-reconciler's development build is
// 750 KB — which took 370–780 ms on the 2-core CI machine against ~95 ms for the bundle.
// The bundle:
//   - sets process.env.NODE_ENV to "production": React's production builds (what an
//     application bundler ships);
//   - leaves out Ink's devtools module (react-devtools-core and the `ws` WebSocket client,
//     48 KB), which Ink imports only when DEV=true: then Ink says the package is missing,
//     as it does without the bundle;
//   - makes yoga-layout decode its inline WebAssembly itself: its loader takes the
//     `fetch` path when a global fetch exists, which loads Node's undici (~26 ms) only to
//     read a data: URL. Nothing else in the UI uses fetch (checked below).
// A plain `tsc -p tsconfig.build.json` writes the unbundled run-ui.js again, which works
// the same, only slower to start; without esbuild (a devDependency; a production install has none)
// the build says so and keeps the unbundled file. BUNDLE_MINIFY=0 keeps names readable
// for a CPU profile.
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist/src/ui/run-ui.js');
const out = join(root, 'dist/src/ui/run-ui.bundle.tmp.js');
const stub = join(root, 'dist/src/ui/devtools-stub.tmp.js');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.warn('bundle-ui: esbuild is not installed; dist/src/ui/run-ui.js stays unbundled (the interactive view starts slower)');
  process.exit(0);
}

const source = readFileSync(entry, 'utf8');
if (source.startsWith('// bundled')) {
  console.warn('bundle-ui: dist/src/ui/run-ui.js is already a bundle; run tsc first');
  process.exit(1);
}
// Ink catches ERR_MODULE_NOT_FOUND from its devtools import and explains it
writeFileSync(stub, "const e = new Error('react-devtools-core is not part of the bundled interactive view'); e.code = 'ERR_MODULE_NOT_FOUND'; throw e;\n");
const noDevtools = {
  name: 'no-ink-devtools',
  setup(build) {
    build.onResolve({ filter: /^\.\/devtools\.js$/ }, (args) => (/[\\/]ink[\\/]/.test(args.importer) ? { path: stub } : undefined));
  },
};
try {
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: process.env.BUNDLE_MINIFY !== '0',
    legalComments: 'eof',
    logLevel: 'warning',
    metafile: true,
    plugins: [noDevtools],
    define: { 'process.env.NODE_ENV': '"production"', fetch: 'undefined' },
    // the CommonJS parts (react, react-reconciler, signal-exit) call require() for Node's modules
    banner: { js: "// bundled by scripts/bundle-ui.mjs\nimport { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  });
  // `fetch` is defined away for yoga-layout's loader only: no other input may use it
  const fetchUsers = Object.keys(result.metafile.inputs).filter((p) => !p.includes('yoga-layout') && /\bfetch\s*\(/.test(readFileSync(join(root, p), 'utf8')));
  if (fetchUsers.length) throw new Error(`bundle-ui: these inputs call fetch(), which the bundle defines away: ${fetchUsers.join(', ')}`);
  writeFileSync(entry, readFileSync(out));
  console.log(`bundle-ui: dist/src/ui/run-ui.js bundled (${Object.keys(result.metafile.inputs).length} modules)`);
} finally {
  rmSync(out, { force: true });
  rmSync(stub, { force: true });
}
