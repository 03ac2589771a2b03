'use strict';

// A stand-in for a bundler: copies src/*.js to dist/ with a banner from the dev
// dependency and records what it built in dist/build.json.
const fs = require('fs');
const path = require('path');
const { banner } = require('devtool');

const root = path.join(__dirname, '..');
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');

fs.rmSync(dist, { recursive: true, force: true });
fs.mkdirSync(dist, { recursive: true });

const files = fs.readdirSync(src).filter((f) => f.endsWith('.js')).sort();
for (const file of files) {
  const body = fs.readFileSync(path.join(src, file), 'utf8');
  fs.writeFileSync(path.join(dist, file), banner(`src/${file}`) + body);
}
fs.writeFileSync(path.join(dist, 'build.json'), `${JSON.stringify({ files }, null, 2)}\n`);
console.log(`built ${files.length} files into dist/`);
