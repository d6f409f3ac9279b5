// Type-checked with `tsc --noEmit`: the declarations must carry real types for options and results.
import { ChargeFinder, Filter, type FilterOptions, type StationHit, type ImportReport, type StationInfo, type StationRow } from 'chargefinder';
import * as ocpi from 'chargefinder/ocpi';

const rows: StationRow[] = [['L1', 'Delft', 52.0116, 4.3571, null, [['E1', 2, 150, 0]]]];
const cf: ChargeFinder = ChargeFinder.fromStations(rows);
const report: ImportReport = cf.report();
const skipped: number = report.problems.filter((p) => p.kind === 'skipped').length;
const filter: FilterOptions = { plugs: ['CCS2', 'TYPE2_SOCKET'], minPowerKw: 50, availableNow: true };
const compiled = new Filter(filter);
const ids: Uint32Array = cf.nearest(52.0116, 4.3571, 10, 50_000, compiled);
const hits: StationHit[] = cf.nearestStations(52.0116, 4.3571, 10, undefined, compiled);
const km: number[] = hits.map((h) => h.distanceM / 1000);
const info: StationInfo = cf.station(ids[0] ?? 0);
const uids: string[] = info.evses.map((e) => e.uid);
// @ts-expect-error: an unknown plug code is a type error
const bad: FilterOptions = { plugs: ['USB_C'] };
// @ts-expect-error: the OCPI loaders are in chargefinder/ocpi, not in the core module
ChargeFinder.fromOcpi('[]');
// The OCPI module: the same API plus the OCPI / OCM loaders and tariffs.
const full: ocpi.ChargeFinder = ocpi.ChargeFinder.fromOcpi('[]');
const fullReport: ocpi.ImportReport = full.report();
const priced: ocpi.PricedCharger[] = full.cheapestNear(52.0116, 4.3571, 10, undefined, new ocpi.Filter(filter),
  { battery_kwh: 60, soc_from_pct: 20, soc_to_pct: 80, car_max_ac_kw: 11, car_max_dc_kw: 120 }, { lang: 'nl' });
export const used = [skipped, km, uids, bad, fullReport, priced];
