'use strict';

function message() {
  return 'node-app is running';
}

module.exports = { message };
