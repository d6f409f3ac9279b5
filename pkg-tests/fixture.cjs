// Shared test data for the package tests (CommonJS so both ESM and CJS suites can load it).
const { readFileSync } = require('node:fs');
const { gunzipSync } = require('node:zlib');
const { join } = require('node:path');

const loc = (id, lat, lon, evses) => ({
  country_code: 'NL', party_id: 'TST', id, address: 'Street 1', city: 'Delft', country: 'NLD',
  time_zone: 'Europe/Amsterdam', coordinates: { latitude: String(lat), longitude: String(lon) }, evses,
});
const evse = (uid, status, standard, format, power_type, max_electric_power) => ({
  uid, status, connectors: [{ id: '1', standard, format, power_type, max_voltage: 400, max_amperage: 32, max_electric_power }],
});

/** A small feed: one fast DC, one AC, one broken, one location with bad coordinates. */
const SMALL = {
  data: [
    loc('DC', 52.0120, 4.3600, [evse('DC-1', 'AVAILABLE', 'IEC_62196_T2_COMBO', 'CABLE', 'DC', 150000)]),
    loc('AC', 52.0116, 4.3580, [evse('AC-1', 'CHARGING', 'IEC_62196_T2', 'SOCKET', 'AC_3_PHASE', 22000),
                                evse('AC-2', 'AVAILABLE', 'IEC_62196_T2', 'SOCKET', 'AC_3_PHASE', 22000)]),
    loc('BROKEN', 52.0200, 4.3571, [evse('B-1', 'OUTOFORDER', 'CHADEMO', 'CABLE', 'DC', 50000)]),
    { ...loc('NOWHERE', 0, 0, []), coordinates: { latitude: 'north', longitude: 'west' } },
  ],
  status_code: 1000,
  status_message: 'Success',
  timestamp: '2026-11-22T00:00:00Z',
};

/** SMALL as compact station rows (`fromStations`, what `GET /api/stations` serves): a location
 * without a name is named by its address; plug bits CCS2 = 2, CHADEMO = 4, TYPE2_SOCKET = 8;
 * status codes AVAILABLE 0, CHARGING 2, OUTOFORDER 4. */
const SMALL_ROWS = [
  ['DC', 'Street 1', 52.0120, 4.3600, null, [['DC-1', 2, 150, 0]]],
  ['AC', 'Street 1', 52.0116, 4.3580, null, [['AC-1', 8, 22, 2], ['AC-2', 8, 22, 0]]],
  ['BROKEN', 'Street 1', 52.0200, 4.3571, null, [['B-1', 4, 50, 4]]],
];

const NL_JSON = () => gunzipSync(readFileSync(join(__dirname, '..', 'data', 'nl', 'locations.json.gz'))).toString('utf8');

module.exports = { SMALL, SMALL_ROWS, NL_JSON };
