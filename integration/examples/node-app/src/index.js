'use strict';

const http = require('http');
const { greet } = require('greet');
const { message } = require('./message');
const build = require('./build.json');

const line = `${greet('Stagecraft')} ${message()} (NODE_ENV=${process.env.NODE_ENV || 'unset'}, built ${build.files.length} files)`;

if (process.argv.includes('--once')) {
  console.log(line);
} else {
  const port = Number(process.env.PORT || 3000);
  http
    .createServer((_req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end(`${line}\n`);
    })
    .listen(port, () => console.log(`listening on ${port}`));
}
