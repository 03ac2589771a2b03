'use strict';

const { devMessage } = require('devtool');
const { name } = require('../package.json');

console.log(devMessage(name));
