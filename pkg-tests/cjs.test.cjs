// The built npm package, required exactly as a user's CommonJS code would.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { ChargeFinder, Filter } = require('chargefinder/ocpi');
const core = require('chargefinder');
const ANY = new Filter();
const { SMALL, SMALL_ROWS } = require('./fixture.cjs');

test('require() gives the same API', () => {
  const cf = ChargeFinder.fromOcpi(SMALL);
  assert.equal(cf.length, 3);
  assert.deepEqual(cf.nearestStations(52.0116, 4.3571, 2, undefined, ANY).map((h) => h.id), ['AC', 'DC']);
  assert.throws(() => ChargeFinder.fromOcpi('nope'), { name: 'ChargeFinderInputError' });
});

test('require() of the core module: compact rows, the same answers', () => {
  const cf = core.ChargeFinder.fromStations(SMALL_ROWS);
  assert.equal(cf.length, 3);
  assert.deepEqual(cf.nearestStations(52.0116, 4.3571, 2, undefined, new core.Filter()).map((h) => h.id), ['AC', 'DC']);
  assert.equal(core.ChargeFinder.fromOcpi, undefined, 'the OCPI loaders live in chargefinder/ocpi');
});
