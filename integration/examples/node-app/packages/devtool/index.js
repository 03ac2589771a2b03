'use strict';

const { version } = require('./package.json');

// The build stamps every output file, so a missing dev dependency fails the build.
function banner(file) {
  return `// built from ${file} by devtool ${version}\n`;
}

function devMessage(app) {
  return `dev mode: ${app} (devtool ${version})`;
}

module.exports = { banner, devMessage, version };
