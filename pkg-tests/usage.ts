// Type-checked with `tsc --noEmit`: the declarations must carry real types for options and results.
import { ChargeFinder, Filter, type FilterOptions, type StationHit, type ImportReport, type StationInfo } from 'chargefinder';

const cf: ChargeFinder = ChargeFinder.fromOcpi('[]');
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
export const used = [skipped, km, uids, bad];
