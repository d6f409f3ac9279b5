// The built npm package, required exactly as a user's CommonJS code would.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { ChargeFinder, Filter } = require('chargefinder');
const ANY = new Filter();
const { SMALL } = require('./fixture.cjs');

test('require() gives the same API', () => {
  const cf = ChargeFinder.fromOcpi(SMALL);
  assert.equal(cf.length, 3);
  assert.deepEqual(cf.nearestStations(52.0116, 4.3571, 2, undefined, ANY).map((h) => h.id), ['AC', 'DC']);
  assert.throws(() => ChargeFinder.fromOcpi('nope'), { name: 'ChargeFinderInputError' });
});
