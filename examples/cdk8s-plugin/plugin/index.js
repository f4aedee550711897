// The plugin as the cdk8s CLI loads it from a local path, compiled on the fly from this repository's
// TypeScript sources (the published package has it compiled as lib/plugin).
const path = require('path');
require('ts-node').register({
  transpileOnly: true,
  preferTsExts: true,
  project: path.join(__dirname, '..', '..', '..', 'tsconfig.json'),
});
module.exports = require('../../../src/plugin');
